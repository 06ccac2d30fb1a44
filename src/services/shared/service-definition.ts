import type { Router } from 'express';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import type { ServiceKind } from '../../config/defaults.js';
import type { Credentials } from '../../config/ensure-credentials.js';
import type { Authorizer } from '../../kit/authorize-requests.js';
import type { Cache } from './create-cache.js';
import type { Logger } from '../../kit/create-logger.js';
import type { ServiceMetrics } from '../../kit/create-metrics.js';
import type { TokenService } from '../../kit/create-token-service.js';
import type { PeerClient } from './call-peers.js';
import type { PeerResolver } from './resolve-peers.js';
import type { Db } from './open-database.js';
import type { SendBatch } from './ship-logs.js';
import type { OutboxStore } from './outbox-store.js';
import type { EventHandlers } from './consume-events.js';
import type { DomainEvent } from './domain-event.js';

/** Everything the kit hands a service when it starts one instance. */
export interface ServiceDeps {
  kind: ServiceKind;
  id: number;
  instanceId: string;
  cluster: ClusterConfig;
  credentials: Credentials;
  db: Db;
  log: Logger;
  metrics: ServiceMetrics;
  cache: Cache;
  peers: PeerClient;
  /** Which instances of each kind are there right now (the registry's view), e.g. to tell whether a peer restarted. */
  resolver: PeerResolver;
  tokens: TokenService;
  auth: Authorizer;
  /** The service's outbox: append events inside the transaction of the change they announce. */
  outbox: OutboxStore;
}

/** What a started service contributes: its routes, background work to stop, optionally a local log sink. */
export interface ServiceInstance {
  routes: Router;
  /** Runs before the database closes, after the listener stopped. */
  close?(): Promise<void> | void;
  /** Overrides the cluster's body limit (the logger takes large batches). */
  bodyLimitBytes?: number;
  /** Handlers of domain events this service consumes (consumer group = the service kind). */
  consumes?: { handlers: EventHandlers; afterApply?: (event: DomainEvent) => void };
  /** The logger service stores its own logs directly instead of shipping them over HTTP. */
  sendLogs?: SendBatch;
  /** Calls other services while it answers requests: its peer client is loaded soon after it serves, not by its first request. */
  warmPeers?: boolean;
}

/** A service kind: its schema migrations (from its store file) and how to build an instance. */
export interface ServiceDefinition {
  kind: ServiceKind;
  migrations: readonly string[];
  create(deps: ServiceDeps): ServiceInstance | Promise<ServiceInstance>;
}
