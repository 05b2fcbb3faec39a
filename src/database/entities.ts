import { ApiKey } from 'src/api-keys/api-key.entity';
import { QueuedJob } from 'src/queue/queued-job.entity';

/** Every entity, listed once for the app, the migration CLI and the schema check. */
export const ENTITIES = [ApiKey, QueuedJob];
