import type { ServiceKind } from '../config/defaults.js';
import type { ServiceDefinition } from './shared/service-definition.js';
import { loggerService } from './logger/logger-service.js';
import { orderService } from './order/order-service.js';
import { productService } from './product/product-service.js';
import { userService } from './user/user-service.js';

/** Every service kind's definition, looked up by kind. */
export const SERVICE_DEFINITIONS: Readonly<Record<ServiceKind, ServiceDefinition>> = {
  logger: loggerService,
  user: userService,
  product: productService,
  order: orderService,
};
