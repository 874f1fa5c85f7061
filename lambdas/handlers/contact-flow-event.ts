/**
 * What Amazon Connect sends a Lambda function invoked from a contact flow (the
 * ContactFlowEvent): the contact (ids, attributes, the caller's number) and the block's
 * parameters, which each function reads with its own schema.
 */
import { z } from 'zod';

export function contactFlowEvent<P extends z.ZodType>(parameters: P) {
  return z.object({
    Name: z.literal('ContactFlowEvent'),
    Details: z.object({
      ContactData: z
        .object({
          ContactId: z.string().min(1),
          InitialContactId: z.string().min(1).optional(),
          Attributes: z.record(z.string(), z.string()).default({}),
          CustomerEndpoint: z.object({ Address: z.string().optional() }).loose().nullish(),
        })
        .loose(),
      Parameters: parameters,
    }),
  });
}
