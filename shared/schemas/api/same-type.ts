/**
 * Compile-time checks that a response schema and the type a handler answers with are the same
 * type, so that neither can change without the other (the OpenAPI document is built from the
 * schema: infra/openapi/). Assignability alone would let either side gain an optional field.
 */

/** `true` when A and B are assignable to each other. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `true` when A and B are assignable to each other and, at every depth, objects have the same
 * field names (optional or not) and arrays the same items.
 */
export type Exact<A, B> =
  Same<A, B> extends true
    ? [A] extends [readonly (infer ItemA)[]]
      ? [B] extends [readonly (infer ItemB)[]]
        ? Exact<ItemA, ItemB>
        : false
      : [A] extends [object]
        ? Same<keyof A, keyof B> extends true
          ? false extends {
              [K in keyof A & keyof B]-?: Exact<NonNullable<A[K]>, NonNullable<B[K]>>;
            }[keyof A & keyof B]
            ? false
            : true
          : false
        : true
    : false;

/** Fails to compile unless T is `true`. */
export type Assert<T extends true> = T;
