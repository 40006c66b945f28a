// Worker threads ignore `--import tsx`: register tsx's loader in the thread, then run the
// TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./dynamodb-thread.ts');
