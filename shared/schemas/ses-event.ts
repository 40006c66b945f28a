import * as z from 'zod';

/**
 * An SES event as a configuration set publishes it to SNS (event publishing, `eventType`), or as
 * identity notifications send it (`notificationType`); only the fields this service reads.
 */
export const SesEventSchema = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    mail: z.object({
      messageId: z.string().min(1),
      timestamp: z.string().optional(),
      /**
       * The send's message tags (each name with its values), as event publishing reports them;
       * SES adds its own (`ses:…`). Tags of another shape are read as none, never as a bad event.
       */
      tags: z.record(z.string(), z.array(z.string())).optional().catch(undefined),
    }),
    /** The addresses delivered to (SES lists each recipient the delivery was for). */
    delivery: z
      .object({ timestamp: z.string(), recipients: z.array(z.string()).default([]).catch([]) })
      .optional(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        timestamp: z.string(),
        bouncedRecipients: z.array(z.object({ emailAddress: z.string() })).default([]),
      })
      .optional(),
    complaint: z
      .object({
        timestamp: z.string(),
        complaintFeedbackType: z.string().optional(),
        complainedRecipients: z.array(z.object({ emailAddress: z.string() })).default([]),
      })
      .optional(),
  })
  .transform((event) => ({ ...event, type: event.eventType ?? event.notificationType ?? 'Unknown' }));
/** An SES event as parsed, its `type` taken from either form of publishing. */
export type SesEvent = z.infer<typeof SesEventSchema>;
