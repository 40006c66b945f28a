/**
 * TransactWriteItems and TransactGetItems on the embedded dynalite (infra/local/dynalite-transactions.ts),
 * through the real SDK: all or nothing, AWS's cancellation reasons and validation errors, the GSI
 * kept right, and atomicity against concurrent transactions and ordinary writes.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  IdempotentParameterMismatchException,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE_DESIGN } from '#shared/aws/table-design.ts';

// One attempt: what the emulator answers is what the test sees, never a retry of it.
const client = new DynamoDBClient({ maxAttempts: 1 });
const documents = DynamoDBDocumentClient.from(client);
const TableName = process.env.TABLE_NAME ?? '';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A fresh partition, so that tests sharing the table never see each other's items. */
const partition = () => `tx-${randomUUID()}`;

async function read(PK: string, SK: string) {
  const { Item } = await documents.send(new GetCommand({ TableName, Key: { PK, SK }, ConsistentRead: true }));
  return Item;
}

async function put(item: Record<string, unknown>) {
  await documents.send(new PutCommand({ TableName, Item: item }));
}

async function partitionItems(PK: string) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': PK },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function bySesMessageId(sesMessageId: string) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName,
      IndexName: TABLE_DESIGN.sesMessageIndex.name,
      KeyConditionExpression: 'sesMessageId = :id',
      ExpressionAttributeValues: { ':id': sesMessageId },
    }),
  );
  return Items.map((item) => `${item.PK}/${item.SK}`);
}

/** The error a transaction is refused with. */
async function refusal(TransactItems: TransactItem[]): Promise<Error & { name: string }> {
  const error = await documents.send(new TransactWriteCommand({ TransactItems })).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('The transaction was accepted');
  return error;
}

/** Moves one unit from `from` to `to`, refused when `from` has none left. */
const transfer = (PK: string, from: string, to: string): TransactItem[] => [
  {
    Update: {
      TableName,
      Key: { PK, SK: from },
      UpdateExpression: 'SET n = n - :one',
      ConditionExpression: 'n >= :one',
      ExpressionAttributeValues: { ':one': 1 },
    },
  },
  {
    Update: {
      TableName,
      Key: { PK, SK: to },
      UpdateExpression: 'SET n = n + :one',
      ExpressionAttributeValues: { ':one': 1 },
    },
  },
];

describe('TransactWriteItems on the embedded dynalite', () => {
  it('applies puts, deletes, updates and condition checks together', async () => {
    const PK = partition();
    await put({ PK, SK: 'old', v: 1 });
    await put({ PK, SK: 'counter', n: 5 });
    await put({ PK, SK: 'guard', open: true });

    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { PK, SK: 'new', v: 2 },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Delete: {
              TableName,
              Key: { PK, SK: 'old' },
              ConditionExpression: 'v = :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Update: {
              TableName,
              Key: { PK, SK: 'counter' },
              UpdateExpression: 'ADD n :two',
              ExpressionAttributeValues: { ':two': 2 },
            },
          },
          {
            ConditionCheck: {
              TableName,
              Key: { PK, SK: 'guard' },
              ConditionExpression: '#open = :yes',
              ExpressionAttributeNames: { '#open': 'open' },
              ExpressionAttributeValues: { ':yes': true },
            },
          },
        ],
      }),
    );

    expect(await partitionItems(PK)).toEqual([
      { PK, SK: 'counter', n: 7 },
      { PK, SK: 'guard', open: true },
      { PK, SK: 'new', v: 2 },
    ]);
  });

  it('writes nothing when one condition fails, and gives a reason per item in order', async () => {
    const PK = partition();
    await put({ PK, SK: 'a', v: 1 });
    await put({ PK, SK: 'b', v: 1 });
    const before = await partitionItems(PK);

    const error = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName, Item: { PK: { S: PK }, SK: { S: 'c' } } } },
            { Delete: { TableName, Key: { PK: { S: PK }, SK: { S: 'a' } } } },
            {
              ConditionCheck: {
                TableName,
                Key: { PK: { S: PK }, SK: { S: 'b' } },
                ConditionExpression: 'v = :two',
                ExpressionAttributeValues: { ':two': { N: '2' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Update: {
                TableName,
                Key: { PK: { S: PK }, SK: { S: 'd' } },
                UpdateExpression: 'SET v = :two',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':two': { N: '2' } },
              },
            },
          ],
        }),
      )
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const cancelled = error as TransactionCanceledException;
    expect(cancelled.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons ' +
        '[None, None, ConditionalCheckFailed, ConditionalCheckFailed]',
    );
    expect(cancelled.$metadata.httpStatusCode).toBe(400);
    expect(cancelled.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { PK: { S: PK }, SK: { S: 'b' }, v: { N: '1' } },
      },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await partitionItems(PK)).toEqual(before);
  });

  it('cancels with a ValidationError reason when an update cannot apply to the stored item', async () => {
    const PK = partition();
    await put({ PK, SK: 'text', n: 'not a number' });

    const error = await refusal([
      { Put: { TableName, Item: { PK, SK: 'other' } } },
      {
        Update: {
          TableName,
          Key: { PK, SK: 'text' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' },
    ]);
    expect(await read(PK, 'other')).toBeUndefined();
  });

  it('spans tables: all written together, or nothing in either when one condition fails', async () => {
    const OtherTable = `tx-other-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: OtherTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const PK = partition();
    const across = (condition: string): TransactItem[] => [
      { Put: { TableName: OtherTable, Item: { id: PK, v: condition } } },
      { Put: { TableName, Item: { PK, SK: 'here', v: condition }, ConditionExpression: condition } },
    ];

    const refused = await refusal(across('attribute_exists(PK)'));
    expect(refused).toBeInstanceOf(TransactionCanceledException);
    expect(
      (await documents.send(new GetCommand({ TableName: OtherTable, Key: { id: PK } }))).Item,
    ).toBeUndefined();

    await documents.send(new TransactWriteCommand({ TransactItems: across('attribute_not_exists(PK)') }));
    expect((await documents.send(new GetCommand({ TableName: OtherTable, Key: { id: PK } }))).Item).toEqual({
      id: PK,
      v: 'attribute_not_exists(PK)',
    });
    expect(await read(PK, 'here')).toEqual({ PK, SK: 'here', v: 'attribute_not_exists(PK)' });
  });

  it('keeps the BySesMessageId index right: a put adds, an update moves, a delete removes', async () => {
    const PK = partition();
    const [first, second] = [randomUUID(), randomUUID()];

    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { PK, SK: 'job#1', sesMessageId: first } } },
          { Put: { TableName, Item: { PK, SK: 'job#2', sesMessageId: second } } },
        ],
      }),
    );
    expect(await bySesMessageId(first)).toEqual([`${PK}/job#1`]);
    expect(await bySesMessageId(second)).toEqual([`${PK}/job#2`]);

    const moved = randomUUID();
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName,
              Key: { PK, SK: 'job#1' },
              UpdateExpression: 'SET sesMessageId = :id',
              ExpressionAttributeValues: { ':id': moved },
            },
          },
          { Delete: { TableName, Key: { PK, SK: 'job#2' } } },
        ],
      }),
    );
    expect(await bySesMessageId(first)).toEqual([]);
    expect(await bySesMessageId(moved)).toEqual([`${PK}/job#1`]);
    expect(await bySesMessageId(second)).toEqual([]);
  });

  describe('refuses, writing nothing,', () => {
    const cases: [string, (PK: string) => TransactItem[], string, RegExp][] = [
      [
        'more than 100 items',
        (PK) =>
          Array.from({ length: 101 }, (_, i) => ({
            ConditionCheck: {
              TableName,
              Key: { PK, SK: `k${i}` },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          })),
        'ValidationException',
        /at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100/,
      ],
      [
        'zero items',
        () => [],
        'ValidationException',
        /at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1/,
      ],
      [
        'two operations on the same item',
        (PK) => [
          { Put: { TableName, Item: { PK, SK: 'same', v: 1 } } },
          {
            ConditionCheck: {
              TableName,
              Key: { PK, SK: 'same' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
        'ValidationException',
        /^Transaction request cannot include multiple operations on one item$/,
      ],
      [
        'an item of a table that does not exist',
        (PK) => [{ Put: { TableName: `missing-${randomUUID()}`, Item: { PK, SK: 'x' } } }],
        'ResourceNotFoundException',
        /^Requested resource not found$/,
      ],
      [
        'items whose aggregate size is over 4 MB',
        (PK) =>
          Array.from({ length: 11 }, (_, i) => ({
            Put: { TableName, Item: { PK, SK: `big${i}`, blob: 'x'.repeat(390 * 1024) } },
          })),
        'ValidationException',
        /aggregate size of the items in the transaction .* 4 MB/,
      ],
      [
        'an item with two actions',
        (PK) => [
          {
            Put: { TableName, Item: { PK, SK: 'x' } },
            Delete: { TableName, Key: { PK, SK: 'x' } },
          },
        ],
        'ValidationException',
        /^TransactItems can only contain one of Check, Put, Update or Delete$/,
      ],
      [
        'a condition check without a condition',
        (PK) => [{ ConditionCheck: { TableName, Key: { PK, SK: 'x' } } as never }],
        'ValidationException',
        /Value null at 'transactItems\.1\.member\.conditionCheck\.conditionExpression' failed to satisfy constraint: Member must not be null/,
      ],
      [
        'an update without an update expression',
        (PK) => [{ Update: { TableName, Key: { PK, SK: 'x' } } as never }],
        'ValidationException',
        /Value null at 'transactItems\.1\.member\.update\.updateExpression' failed to satisfy constraint: Member must not be null/,
      ],
      [
        'an item without its sort key',
        (PK) => [{ Put: { TableName, Item: { PK } } }],
        'ValidationException',
        /^One or more parameter values were invalid: Missing the key SK in the item$/,
      ],
      [
        'an update of a key attribute',
        (PK) => [
          {
            Update: {
              TableName,
              Key: { PK, SK: 'x' },
              UpdateExpression: 'SET SK = :sk',
              ExpressionAttributeValues: { ':sk': 'y' },
            },
          },
        ],
        'ValidationException',
        /Cannot update attribute SK\. This attribute is part of the key/,
      ],
      [
        'an expression value that no expression uses',
        (PK) => [{ Put: { TableName, Item: { PK, SK: 'x' }, ExpressionAttributeValues: { ':unused': 1 } } }],
        'ValidationException',
        /ExpressionAttributeValues can only be specified when using expressions/,
      ],
    ];

    it.each(cases)('%s', async (_, items, name, message) => {
      const PK = partition();
      // A valid put on a fresh item rides along: the refusal must take it down too.
      const rider: TransactItem = { Put: { TableName, Item: { PK, SK: 'rider' } } };
      const error = await refusal(items(PK).length === 0 ? [] : [...items(PK), rider]);

      expect(error.name).toBe(name);
      expect(error.message).toMatch(message);
      expect(await partitionItems(PK)).toEqual([]);
    });

    it('a missing table as ResourceNotFoundException, the SDK class', async () => {
      const error = await refusal([
        { Put: { TableName: `missing-${randomUUID()}`, Item: { PK: 'x', SK: 'y' } } },
      ]);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  it('is atomic against concurrent transactions and ordinary UpdateItem calls: the sum is conserved', async () => {
    const PK = partition();
    await put({ PK, SK: 'a', n: 100 });
    await put({ PK, SK: 'b', n: 0 });

    const transfers = Array.from({ length: 200 }, () =>
      documents.send(new TransactWriteCommand({ TransactItems: transfer(PK, 'a', 'b') })).then(
        () => 'moved',
        (error: unknown) => {
          if (error instanceof TransactionCanceledException) return error.CancellationReasons?.[0]?.Code;
          throw error;
        },
      ),
    );
    const deposits = Array.from({ length: 100 }, () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: { PK, SK: 'a' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    );
    const outcomes = await Promise.all(transfers);
    await Promise.all(deposits);

    const [a, b] = [(await read(PK, 'a'))?.n, (await read(PK, 'b'))?.n];
    expect(a + b).toBe(200);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBe(outcomes.filter((outcome) => outcome === 'moved').length);
    expect(new Set(outcomes.filter((outcome) => outcome !== 'moved'))).toEqual(
      new Set(b === 200 ? [] : ['ConditionalCheckFailed']),
    );
  });

  it('is never seen half applied, by a Query or by TransactGetItems', async () => {
    const PK = partition();
    await put({ PK, SK: 'a', n: 50 });
    await put({ PK, SK: 'b', n: 50 });

    let running = true;
    const sums: number[] = [];
    const readers = Array.from({ length: 4 }, async (_, reader) => {
      while (running) {
        if (reader % 2 === 0) {
          const items = await partitionItems(PK);
          sums.push(items.reduce((sum, item) => sum + item.n, 0));
        } else {
          const { Responses = [] } = await documents.send(
            new TransactGetCommand({
              TransactItems: [
                { Get: { TableName, Key: { PK, SK: 'a' } } },
                { Get: { TableName, Key: { PK, SK: 'b' } } },
              ],
            }),
          );
          sums.push(Responses.reduce((sum, response) => sum + (response?.Item?.n ?? 0), 0));
        }
      }
    });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        documents
          .send(
            new TransactWriteCommand({
              TransactItems: i % 2 ? transfer(PK, 'a', 'b') : transfer(PK, 'b', 'a'),
            }),
          )
          .catch((error: unknown) => {
            if (!(error instanceof TransactionCanceledException)) throw error;
          }),
      ),
    );
    running = false;
    await Promise.all(readers);

    expect(sums.length).toBeGreaterThan(0);
    expect(sums.filter((sum) => sum !== 100)).toEqual([]);
  });

  it('applies a ClientRequestToken once, and refuses it with other parameters', async () => {
    const PK = partition();
    await put({ PK, SK: 'counter', n: 0 });
    const add = (amount: number) =>
      new TransactWriteCommand({
        ClientRequestToken: `token-${PK}`.slice(0, 36),
        TransactItems: [
          {
            Update: {
              TableName,
              Key: { PK, SK: 'counter' },
              UpdateExpression: 'ADD n :amount',
              ExpressionAttributeValues: { ':amount': amount },
            },
          },
        ],
      });

    await documents.send(add(1));
    await documents.send(add(1));
    const mismatch = await documents.send(add(2)).catch((caught: unknown) => caught);

    expect((await read(PK, 'counter'))?.n).toBe(1);
    expect(mismatch).toBeInstanceOf(IdempotentParameterMismatchException);
  });

  it('reports the consumed capacity: two write units per KB per item, by table', async () => {
    const PK = partition();
    const { ConsumedCapacity } = await documents.send(
      new TransactWriteCommand({
        ReturnConsumedCapacity: 'TOTAL',
        TransactItems: [
          { Put: { TableName, Item: { PK, SK: 'small' } } },
          { Put: { TableName, Item: { PK, SK: 'large', blob: 'x'.repeat(2500) } } },
        ],
      }),
    );
    expect(ConsumedCapacity).toEqual([{ TableName, CapacityUnits: 8, WriteCapacityUnits: 8 }]);
  });
});

describe('TransactGetItems on the embedded dynalite', () => {
  it('reads the items in request order, with a projection, and an empty answer for a missing one', async () => {
    const PK = partition();
    await put({ PK, SK: 'a', v: 1, w: 2 });
    await put({ PK, SK: 'b', v: 3 });

    const { Responses } = await documents.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName, Key: { PK, SK: 'b' } } },
          { Get: { TableName, Key: { PK, SK: 'missing' } } },
          { Get: { TableName, Key: { PK, SK: 'a' }, ProjectionExpression: 'w' } },
        ],
      }),
    );

    expect(Responses).toEqual([{ Item: { PK, SK: 'b', v: 3 } }, {}, { Item: { w: 2 } }]);
  });
});
