/**
 * Where the real services of the test run are. `scripts/test-services.sh` (run by `npm test`)
 * reuses a listening server, starts an installed one on a private port, or installs it, then
 * exports these variables. Tests never skip when a service is absent: they fail.
 */
export const services = {
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

/** An address where nothing listens (port 9 on loopback is "discard", never served here). */
export const DEAD_URL = { redis: 'redis://127.0.0.1:9', postgres: 'postgres://postgres@127.0.0.1:9/postgres', http: 'http://127.0.0.1:9' };
