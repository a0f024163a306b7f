/**
 * A venue whose key is in the key store (`"apiKey": "keystore:NAME"`): the store is unlocked with the passphrase from
 * the environment and the entry's key and secret fill the venue config. Any failure (no passphrase, a wrong one, a
 * tampered file, a missing entry) is a config problem, so the daemon refuses to start and says why.
 */
import type { Problems } from "./config_fields.ts";
import type { VenueConfig } from "./config_venue.ts";
import {
  KeystoreError,
  keystorePath,
  openKeystore,
  PASSPHRASE_ENV,
  PASSPHRASE_FILE_ENV,
  passphraseFromEnv,
} from "./keystore.ts";

export async function unlockVenueKey(
  p: Problems,
  venue: VenueConfig,
  dataDir: string,
  env: (name: string) => string | undefined,
  /** The venue's JSON path (`venue`, or `venues.NAME`), for the problem's field. */
  where = "venue",
): Promise<VenueConfig> {
  if (venue.type !== "binance" || venue.keystore === undefined) return venue;
  const field = `${where}.apiKey`;
  try {
    const passphrase = await passphraseFromEnv(env);
    if (passphrase === undefined) {
      p.push({ field, why: `the key store is locked: set ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV}` });
      return venue;
    }
    const key = await (await openKeystore(keystorePath(dataDir), passphrase)).get(venue.keystore);
    return { ...venue, apiKey: key.apiKey, secret: key.secret };
  } catch (err) {
    if (!(err instanceof KeystoreError)) throw err;
    p.push({ field, why: err.message });
    return venue;
  }
}
