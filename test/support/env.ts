// Runs in every test worker before the test file: production's pipeline, quiet and unthrottled.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.THROTTLE_LIMIT = '10000000';
process.env.JOBS_ENABLED = 'false';
process.env.BOOTSTRAP_ADMIN_TOKEN = 'test-bootstrap-admin-token';
// The webhook tests deliver to receivers on 127.0.0.1: allowed explicitly here, never by default (docs/security.md).
process.env.WEBHOOK_ALLOW_PRIVATE_URLS = 'true';
