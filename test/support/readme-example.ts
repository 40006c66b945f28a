import createClient from 'openapi-fetch';
import type { paths } from './api-types.ts';

/** Sends the API page's example; answers each customer's status and where the batch's status is. */
export async function emailExampleStatements(baseUrl = 'http://127.0.0.1:3000', token = 'local-dev-token') {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `KfToken ${token}` } });

  const { data, error, response } = await client.POST('/v2/customerstatements/bulk/email', {
    params: {
      query: { startdate: '20130101', enddate: '20131010', excludepaidinvoices: '1', filterby: 'all' },
    },
    body: ['101', 'CUST123', 'CUST2345', '0065'],
  });
  // Every error, 4xx or 5xx, is KashFlow's { Error, Message }.
  if (error !== undefined) throw new Error(`${response.status} ${error.Error}: ${error.Message}`);

  // [{ CustomerCode: '101', Sent: true, Message: 'Marked to send' }, …] in request order.
  return { statuses: data, batch: response.headers.get('Location') };
}
