import { apiHandler } from '#shared/http/api-handler.ts';
import { handleLedgerRequest } from '#shared/http/ledger-api.ts';

/** Every ledger route (infra/api-routes.ts): customers, invoices, credit notes, payments, templates, settings, bulk. */
export const handler = apiHandler(handleLedgerRequest);
