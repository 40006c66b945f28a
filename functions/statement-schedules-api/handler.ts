import { apiHandler } from '#shared/http/api-handler.ts';
import { handleScheduleRequest } from '#shared/http/schedule-api.ts';

/** `GET/POST/DELETE /v2/customers/schedule-statement[/{customerCode}]`: statement schedules. */
export const handler = apiHandler((event) => handleScheduleRequest(event, new Date()));
