/** The name as stored and shown: without surrounding spaces, in Unicode NFC. */
export function cleanGroupName(name: string): string {
  return name.trim().normalize('NFC');
}

/**
 * The form names are compared in, so "Admins", " admins" and a decomposed "Ädmins" cannot
 * coexist with their look-alikes in one tenant.
 */
export function normalizeGroupName(name: string): string {
  return cleanGroupName(name).toLowerCase();
}
