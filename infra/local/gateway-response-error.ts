/** The local gateway's own answers, as API Gateway gives them (infra/gateway-errors.ts). */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { GatewayErrorResponse } from '../gateway-errors.ts';

type FixedResponse = GatewayErrorResponse & { statusCode: number; message: string };

/** Thrown where API Gateway would answer itself; the gateway sends it as its proxy result. */
export class GatewayResponseError extends Error {
  readonly statusCode: number;
  readonly code: string;

  /** A response of the table; a fallback (DEFAULT_4XX, DEFAULT_5XX) with its status and message. */
  constructor(response: FixedResponse);
  constructor(response: GatewayErrorResponse, statusCode: number, message: string);
  constructor(response: GatewayErrorResponse, statusCode?: number, message?: string) {
    super(message ?? response.message);
    this.statusCode = statusCode ?? response.statusCode ?? 500;
    this.code = response.code;
  }

  /** The answer in KashFlow's `{"Error","Message"}` shape, as the stack's gateway responses give it. */
  toResult(): APIGatewayProxyResult {
    return {
      statusCode: this.statusCode,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ Error: this.code, Message: this.message }),
    };
  }
}
