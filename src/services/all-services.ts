import type { ServiceKind } from '../config/defaults.js';
import type { ServiceDefinition } from './shared/service-definition.js';

/**
 * Each service kind's definition, loaded when asked for: an instance evaluates only its own kind's modules (routes,
 * request schemas, store statements), not the other three's.
 */
export const SERVICE_DEFINITIONS: Readonly<Record<ServiceKind, () => Promise<ServiceDefinition>>> = {
  logger: async () => (await import('./logger/logger-service.js')).loggerService,
  user: async () => (await import('./user/user-service.js')).userService,
  product: async () => (await import('./product/product-service.js')).productService,
  order: async () => (await import('./order/order-service.js')).orderService,
};
