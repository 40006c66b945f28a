/**
 * Customer notes, KashFlow's per-customer numbered notes: a number is given out once per job (and
 * per kind of note), kept on the job's record, so every retry writes its note under the same
 * number, and a note is put only where none has that number.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import { type NoteRecord, NoteRecordSchema } from '../schemas/records.ts';
import { documentClient, queryItems, updateCommand, writeIf } from './dynamodb.ts';
import { getJob, type JobRef, jobRecordKey } from './dynamodb-jobs.ts';
import { customerPartition, noteCounterKey, noteKey } from './table-keys.ts';

/** The fields of a job's record that keep its note numbers, one per kind of note. */
export type NoteField = 'noteNumber' | 'bounceNoteNumber' | 'complaintNoteNumber';

/** The next number of the customer's counter; a number taken and not kept is only a gap. */
export async function takeNoteNumber(job: JobRef): Promise<number> {
  const { Attributes } = await documentClient().send(
    updateCommand(
      noteCounterKey(job.tenantId, job.customerCode),
      { update: 'ADD lastNumber :one', values: { ':one': 1 } },
      'UPDATED_NEW',
    ),
  );
  return z.number().int().parse(Attributes?.lastNumber);
}

/** Keeps `number` in the job's `field` unless the field has one; true when this call kept it. */
function keepOnJob(job: JobRef, field: string, number: number): Promise<boolean> {
  return writeIf(
    updateCommand(jobRecordKey(job), {
      update: 'SET #field = :number',
      condition: 'attribute_exists(PK) AND attribute_not_exists(#field)',
      names: { '#field': field },
      values: { ':number': number },
    }),
  );
}

/**
 * The job's note number, given out once: a number is taken from the customer's counter and kept
 * on the job only if the job has none yet, so every retry writes the note under the same number.
 */
export async function noteNumberFor(job: JobRef, field: NoteField = 'noteNumber'): Promise<number> {
  const candidate = await takeNoteNumber(job);
  if (await keepOnJob(job, field, candidate)) return candidate;
  const existing = (await getJob(job))?.[field];
  if (existing === undefined) throw new Error('The job record is missing');
  return existing;
}

/**
 * The number of the job's soft-bounce note, given out once as `noteNumberFor` gives out its
 * numbers, so that every retry of the event writes the note under one number. Kept apart from
 * `bounceNoteNumber`, so that a later permanent bounce still gets its own note; looked at first,
 * since soft bounces repeat.
 */
export async function softBounceNoteNumberFor(job: JobRef): Promise<number> {
  const { TABLE_NAME } = tableConfig();
  const kept = async () => {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: jobRecordKey(job),
        ConsistentRead: true,
        ProjectionExpression: 'softBounceNoteNumber',
      }),
    );
    return z.number().int().optional().parse(Item?.softBounceNoteNumber);
  };
  const existing = await kept();
  if (existing !== undefined) return existing;
  const candidate = await takeNoteNumber(job);
  if (await keepOnJob(job, 'softBounceNoteNumber', candidate)) return candidate;
  const winner = await kept();
  if (winner === undefined) throw new Error('The job record is missing');
  return winner;
}

/** Puts a customer note unless one with its number exists; true when this call wrote it. */
export async function putNoteOnce(job: JobRef, note: NoteRecord): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  return writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...noteKey(job.tenantId, job.customerCode, note.number),
        type: 'Note',
        ...note,
        batchId: job.batchId,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/** A customer's notes, newest first (the sort key holds the zero-padded note number). */
export async function listNotes(tenantId: string, code: string): Promise<NoteRecord[]> {
  const notes: NoteRecord[] = [];
  const items = queryItems({
    partition: customerPartition(tenantId, code),
    prefix: 'NOTE#',
    descending: true,
  });
  for await (const item of items) notes.push(NoteRecordSchema.parse(item));
  return notes;
}
