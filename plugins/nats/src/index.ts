export { CLOSE_FLUSH_GRACE_MS, StaleLinkTransport, connectNats } from './stale-link-transport.ts';
