import { ApiKey } from 'src/api-keys/api-key.entity';
import { AuditCheckpoint } from 'src/audit/audit-checkpoint.entity';
import { AuditEvent } from 'src/audit/audit-event.entity';
import { AuditTreeNode } from 'src/audit/audit-tree-node.entity';
import { AuditTreeState } from 'src/audit/audit-tree-state.entity';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { PaperScan } from 'src/consents/paper-scan.entity';
import { LinkToken } from 'src/link-tokens/link-token.entity';
import { Mail } from 'src/mail/mail.entity';
import { Person } from 'src/persons/person.entity';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { Notification } from 'src/reminders/notification.entity';

/** Every entity, listed once for the app, the migration CLI and the schema check. */
export const ENTITIES = [
  ApiKey, QueuedJob, AuditEvent, AuditTreeNode, AuditTreeState, AuditCheckpoint,
  Person,
  Consent,
  ConsentChannel,
  ConsentWithdrawal,
  PaperScan,
  LinkToken,
  Mail,
  Notification,
];
