// The one poller of the test tiers lives in test/shared/poll.ts.
export { pollFor } from '../../shared/poll';
