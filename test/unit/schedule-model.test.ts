import { describe, expect, it } from 'vitest';
import { type StoredSchedule, toScheduleView } from '#shared/domain/schedule.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { parseScheduleBody, SCHEDULES_PATH, scheduleListQueryOf } from '#shared/http/schedule-api.ts';
import { apiEvent } from '../support/api-events.ts';

const VALID = { IssueDay: 1, Period: 'LastMonth' };

const post = (body: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    path: SCHEDULES_PATH,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers,
  });

/** The refusal `parse` throws: status, code and message. */
function refusal(parse: () => unknown): { status: number; code: string; message: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof HttpError)
      return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseScheduleBody', () => {
  it('fills the defaults of a minimal tenant-wide schedule', () => {
    expect(parseScheduleBody(post(VALID), undefined)).toEqual({
      settings: {
        selection: 'All',
        issueDay: 1,
        period: 'LastMonth',
        excludePaid: false,
        excludeOpeningBalance: false,
        skipNothingOwed: false,
        statementType: 'activity',
        enabled: true,
      },
    });
  });

  it('reads every field, and ignores the read-only NextIssueDate and LastRun sent back', () => {
    const body = {
      Selection: 'Owing',
      IssueDay: 'Last',
      Period: 'SinceLastStatement',
      EndDate: '2027-12-31',
      ExcludePaidInvoices: true,
      ExcludeOpeningBalance: true,
      SkipIfNothingOwed: true,
      StatementType: 'outstanding',
      Enabled: false,
      Version: 7,
      NextIssueDate: '2026-11-30',
      LastRun: { RunId: 'x', IssueDate: '2026-10-31', State: 'Started' },
    };
    expect(parseScheduleBody(post(body), undefined)).toEqual({
      settings: {
        selection: 'Owing',
        issueDay: 'Last',
        period: 'SinceLastStatement',
        endDate: '2027-12-31',
        excludePaid: true,
        excludeOpeningBalance: true,
        skipNothingOwed: true,
        statementType: 'outstanding',
        enabled: false,
      },
      version: 7,
    });
  });

  it.each([
    [
      { ...VALID, IssueDay: 29 },
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    ],
    [
      { ...VALID, IssueDay: 0 },
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    ],
    [
      { ...VALID, IssueDay: 1.5 },
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    ],
    [
      { ...VALID, IssueDay: 'last' },
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    ],
    [
      { Period: 'LastMonth' },
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    ],
    [
      { ...VALID, Period: 'LastYear' },
      'Period: must be LastMonth, SinceLastStatement, Last3Months or MonthToDate',
    ],
    [{ IssueDay: 1 }, 'Period: must be LastMonth, SinceLastStatement, Last3Months or MonthToDate'],
    [{ ...VALID, Selection: 'Everyone' }, 'Selection: must be All, Owing or Overdue'],
    [{ ...VALID, EndDate: '2027-02-30' }, 'EndDate: must be a real date in YYYY-MM-DD form'],
    [{ ...VALID, EndDate: '20271231' }, 'EndDate: must be a real date in YYYY-MM-DD form'],
    [{ ...VALID, ExcludePaidInvoices: 'yes' }, 'ExcludePaidInvoices: must be true or false'],
    [{ ...VALID, ExcludeOpeningBalance: 1 }, 'ExcludeOpeningBalance: must be true or false'],
    [{ ...VALID, SkipIfNothingOwed: null }, 'SkipIfNothingOwed: must be true or false'],
    [{ ...VALID, Enabled: 'true' }, 'Enabled: must be true or false'],
    [{ ...VALID, StatementType: 'summary' }, /^StatementType: /],
    [{ ...VALID, Version: -1 }, /^Version: must be a whole number from 0/],
    [{ ...VALID, Frequency: 'Monthly' }, 'Frequency: is not a field of a statement schedule'],
    [
      { ...VALID, CustomerCode: '101' },
      'CustomerCode: must be left out of the tenant-wide schedule (POST /v2/customers/schedule-statement/{customerCode} schedules one customer)',
    ],
  ])('refuses %j naming the field and its rule', (body, message) => {
    const error = refusal(() => parseScheduleBody(post(body), undefined));
    expect(error).toEqual({
      status: 400,
      code: 'InvalidRequestBody',
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  });

  it("refuses a Selection or another CustomerCode in a customer's schedule", () => {
    expect(refusal(() => parseScheduleBody(post({ ...VALID, Selection: 'Owing' }), '101')).message).toMatch(
      /^Selection: must be left out of a customer's schedule/,
    );
    expect(refusal(() => parseScheduleBody(post({ ...VALID, CustomerCode: '0101' }), '101')).message).toBe(
      'CustomerCode: must be "101" as in the path, or be left out',
    );
    expect(parseScheduleBody(post({ ...VALID, CustomerCode: '101' }), '101').settings.customerCode).toBe(
      '101',
    );
  });

  it('names every field that breaks its rule at once', () => {
    expect(
      refusal(() => parseScheduleBody(post({ IssueDay: 31, Period: 'x', Enabled: 2 }), undefined)).message,
    ).toBe(
      'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month); Period: must be LastMonth, SinceLastStatement, Last3Months or MonthToDate; Enabled: must be true or false',
    );
  });

  it('refuses bodies that are not a schedule object, unreadable, empty, too large or of another type', () => {
    expect(refusal(() => parseScheduleBody(post([VALID]), undefined)).message).toBe(
      'Request body must be a statement schedule object',
    );
    expect(refusal(() => parseScheduleBody(post('{"IssueDay":'), undefined)).message).toBe(
      'Request body is not valid JSON',
    );
    expect(refusal(() => parseScheduleBody(post(' '), undefined)).message).toBe(
      'Request body must not be empty',
    );
    expect(
      refusal(() => parseScheduleBody(post({ ...VALID, Pad: 'x'.repeat(20_000) }), undefined)).status,
    ).toBe(413);
    expect(
      refusal(() => parseScheduleBody(post(VALID, { 'Content-Type': 'text/plain' }), undefined)).status,
    ).toBe(415);
  });

  it('reads an XML body into the same fields, judged by the same rules', () => {
    const xml = (inner: string) =>
      post(`<StatementSchedule>${inner}</StatementSchedule>`, { 'Content-Type': 'application/xml' });
    expect(
      parseScheduleBody(
        xml(
          '<Selection>Owing</Selection><IssueDay>Last</IssueDay><Period>LastMonth</Period><SkipIfNothingOwed>true</SkipIfNothingOwed>',
        ),
        undefined,
      ).settings,
    ).toMatchObject({ selection: 'Owing', issueDay: 'Last', skipNothingOwed: true });
    expect(
      parseScheduleBody(xml('<IssueDay>5</IssueDay><Period>MonthToDate</Period>'), undefined).settings
        .issueDay,
    ).toBe(5);
    expect(
      refusal(() => parseScheduleBody(xml('<IssueDay>30</IssueDay><Period>LastMonth</Period>'), undefined))
        .message,
    ).toBe('IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)');
    expect(
      refusal(() =>
        parseScheduleBody(
          post('<Schedule><IssueDay>1</IssueDay></Schedule>', { 'Content-Type': 'application/xml' }),
          undefined,
        ),
      ).message,
    ).toBe('XML body must be a StatementSchedule element');
  });
});

describe('scheduleListQueryOf', () => {
  const list = (query: Record<string, string>) => apiEvent({ method: 'GET', path: SCHEDULES_PATH, query });

  it('takes perpage from 1 to 1000 and a cursor this list gave', () => {
    expect(scheduleListQueryOf(list({}))).toEqual({ perPage: 100 });
    const cursor = Buffer.from('SCHEDULE#CUSTOMER#101').toString('base64url');
    expect(scheduleListQueryOf(list({ perpage: '5', cursor }))).toEqual({
      perPage: 5,
      after: 'SCHEDULE#CUSTOMER#101',
    });
  });

  it('refuses another perpage or cursor, naming the parameter', () => {
    expect(refusal(() => scheduleListQueryOf(list({ perpage: '0' }))).message).toBe(
      'perpage: must be a whole number from 1 to 1000',
    );
    expect(refusal(() => scheduleListQueryOf(list({ perpage: '1001' }))).message).toBe(
      'perpage: must be a whole number from 1 to 1000',
    );
    expect(
      refusal(() => scheduleListQueryOf(list({ cursor: Buffer.from('CUSTOMER#1').toString('base64url') })))
        .message,
    ).toBe('cursor: must be a NextPageUrl cursor this list gave');
  });
});

describe('toScheduleView', () => {
  const stored: StoredSchedule = {
    scheduleId: 'ALL',
    selection: 'Owing',
    issueDay: 1,
    period: 'LastMonth',
    excludePaid: false,
    excludeOpeningBalance: false,
    skipNothingOwed: true,
    statementType: 'activity',
    enabled: true,
    effectiveFrom: '2026-11-25',
    updatedAt: '2026-11-25T10:00:00.000Z',
    revision: 2,
    contentHash: 'h',
    nextIssueDate: '2027-01-01',
    lastRun: {
      runId: 'r',
      issueDate: '2026-12-01',
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      state: 'Started',
      startedAt: '2026-12-01T12:00:00.000Z',
    },
  };

  it('shows the client fields, NextIssueDate and LastRun in PascalCase, and nothing internal', () => {
    expect(toScheduleView(stored)).toEqual({
      Selection: 'Owing',
      IssueDay: 1,
      Period: 'LastMonth',
      ExcludePaidInvoices: false,
      ExcludeOpeningBalance: false,
      SkipIfNothingOwed: true,
      StatementType: 'activity',
      Enabled: true,
      NextIssueDate: '2027-01-01',
      LastRun: { RunId: 'r', IssueDate: '2026-12-01', State: 'Started' },
    });
    expect(toScheduleView({ ...stored, customerCode: '0065', scheduleId: 'CUSTOMER#0065' })).toMatchObject({
      CustomerCode: '0065',
    });
    expect(toScheduleView({ ...stored, customerCode: '0065' })).not.toHaveProperty('Selection');
  });
});
