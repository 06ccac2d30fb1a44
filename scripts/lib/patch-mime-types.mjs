// A patch build-binary.mjs applies to mime-types while bundling (its own file so that a test can check it).

/**
 * mime-types builds its extension maps from all of mime-db (about 2,500 types) when it is loaded, and express loads
 * it in every service instance for the few lookups a JSON API makes (about 5 ms of each instance's start-up). In the
 * binary the maps are built on their first use instead; the lookups answer the same.
 */
export function patchMimeTypes(text, file, fail) {
  const from = `exports.extensions = Object.create(null)
exports.lookup = lookup
exports.types = Object.create(null)
exports._extensionConflicts = []

// Populate the extensions/types maps
populateMaps(exports.extensions, exports.types)`;
  const to = `exports.lookup = lookup
exports._extensionConflicts = []
var mapsOf = { extensions: undefined, types: undefined }
function builtMaps () {
  if (mapsOf.types === undefined) {
    mapsOf.extensions = Object.create(null)
    mapsOf.types = Object.create(null)
    populateMaps(mapsOf.extensions, mapsOf.types)
  }
  return mapsOf
}
Object.defineProperty(exports, 'extensions', { enumerable: true, get: function () { return builtMaps().extensions } })
Object.defineProperty(exports, 'types', { enumerable: true, get: function () { return builtMaps().types } })`;
  if (text.split(from).length !== 2) fail(`${file} no longer builds its maps as expected: mime-types changed, update scripts/lib/patch-mime-types.mjs`);
  return text.replace(from, to);
}
