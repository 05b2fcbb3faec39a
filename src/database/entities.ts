import { ApiKey } from 'src/api-keys/api-key.entity';
import { Asset } from 'src/assets/asset.entity';
import { AssetPerson } from 'src/assets/asset-person.entity';
import { PersonClearanceFacts } from 'src/assets/person-clearance-facts.entity';
import { Publication } from 'src/assets/publication.entity';
import { Takedown } from 'src/assets/takedown.entity';
import { AuditCheckpoint } from 'src/audit/audit-checkpoint.entity';
import { AuditEvent } from 'src/audit/audit-event.entity';
import { AuditTreeNode } from 'src/audit/audit-tree-node.entity';
import { AuditTreeState } from 'src/audit/audit-tree-state.entity';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { PaperScan } from 'src/consents/paper-scan.entity';
import { EvidenceDocument } from 'src/evidence/evidence-document.entity';
import { LinkToken } from 'src/link-tokens/link-token.entity';
import { Mail } from 'src/mail/mail.entity';
import { Person } from 'src/persons/person.entity';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { Notification } from 'src/reminders/notification.entity';
import { Webhook } from 'src/webhooks/webhook.entity';
import { WebhookDelivery } from 'src/webhooks/webhook-delivery.entity';

/** Every entity, listed once for the app, the migration CLI and the schema check. */
export const ENTITIES = [
  ApiKey, QueuedJob, AuditEvent, AuditTreeNode, AuditTreeState, AuditCheckpoint,
  Person,
  Consent,
  ConsentChannel,
  ConsentWithdrawal,
  PaperScan,
  EvidenceDocument,
  LinkToken,
  Mail,
  Notification,
  Asset,
  AssetPerson,
  PersonClearanceFacts,
  Publication,
  Takedown,
  Webhook,
  WebhookDelivery,
];
