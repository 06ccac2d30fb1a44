import type { Db } from '../shared/open-database.js';
import type { CapturedShipping } from './order-store.js';

/** The order service's own copy of each user's shipping details, kept from user events; all its SQL lives here. */
export interface ShippingCopyStore {
  /** The newest details known for a user, or undefined when none arrived yet. */
  get(userId: number): CapturedShipping | undefined;
  /** Keeps `shipping` unless a newer profile version is stored already; true when it was stored. */
  remember(userId: number, shipping: CapturedShipping): boolean;
}

/** Prepares the statements on order.db (its `user_shipping` table comes from ORDER_MIGRATIONS). */
export function openShippingCopyStore(db: Db): ShippingCopyStore {
  const byUser = db.prepare('SELECT name, address, phone, profile_version AS profileVersion FROM user_shipping WHERE user_id = ?');
  const upsert = db.prepare(
    `INSERT INTO user_shipping (user_id, name, address, phone, profile_version) VALUES (@userId, @name, @address, @phone, @profileVersion)
     ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone,
       profile_version = excluded.profile_version
     WHERE excluded.profile_version > user_shipping.profile_version`,
  );
  return {
    get: (userId) => byUser.get(userId) as CapturedShipping | undefined,
    remember: (userId, shipping) =>
      upsert.run({ userId, name: shipping.name, address: shipping.address, phone: shipping.phone, profileVersion: shipping.profileVersion }).changes === 1,
  };
}
