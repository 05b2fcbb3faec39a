import { describeQueueBehaviour } from 'test/support/queue-behaviour';

describeQueueBehaviour('postgres');
