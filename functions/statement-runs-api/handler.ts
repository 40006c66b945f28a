import { responseFormatOf, tenantIdOf } from '#shared/http/api-gateway.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { parseRunPage, parseStartRunRequest, runIdOf } from '#shared/http/parse-runs-request.ts';
import { toRunResponse } from '#shared/http/runs-response.ts';
import { logger } from '#shared/observability/powertools.ts';
import { cancelRunRequest, getRunView, startRunRequest } from '#shared/services/runs/run-requests.ts';

/** Another tenant's run is not found either: its key starts with the other tenant. */
const noSuchRun = () => new HttpError(404, 'NotFound', 'No such run');

/**
 * Statement runs (docs/api.md): `POST /v2/customerstatements/runs`,
 * `GET /v2/customerstatements/runs/{runId}` and `DELETE /v2/customerstatements/runs/{runId}`.
 */
export const handler = apiHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  logger.appendKeys({ tenantId });
  if (event.httpMethod === 'POST') {
    const request = parseStartRunRequest(event);
    const { run, replayed } = await startRunRequest(tenantId, request, new Date());
    return toRunResponse(event, 202, run, request.format, replayed ? { 'Idempotent-Replayed': 'true' } : {});
  }
  const format = responseFormatOf(event);
  const runId = runIdOf(event);
  logger.appendKeys({ runId, batchId: runId });
  if (event.httpMethod === 'DELETE') {
    const run = await cancelRunRequest(tenantId, runId, new Date());
    if (run === undefined) throw noSuchRun();
    return toRunResponse(event, 202, run, format);
  }
  const run = await getRunView(tenantId, runId, parseRunPage(event));
  if (run === undefined) throw noSuchRun();
  return toRunResponse(event, 200, run, format);
});
