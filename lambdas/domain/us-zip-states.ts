/**
 * Which state a ZIP Code is in, from its first three digits (the USPS sectional center
 * prefix). The send window uses it when a person's address has a ZIP but no state, so the
 * state's solicitation rules still apply. A prefix names one state except for a few
 * five-digit exceptions listed below; unassigned prefixes give no state.
 */

/** The 50 states, DC, the territories with ZIP Codes, and the military "states" (AA, AE, AP). */
export const US_STATE_CODES: ReadonlySet<string> = new Set([
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS',
  'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC',
  'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
  'PR', 'VI', 'GU', 'AS', 'MP', 'FM', 'MH', 'PW',
  'AA', 'AE', 'AP',
]);

/** [first prefix, last prefix, state], prefixes as numbers (005 → 5). Gaps are unassigned prefixes. */
const PREFIX_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [5, 5, 'NY'], // Holtsville (IRS)
  [6, 7, 'PR'],
  [8, 8, 'VI'],
  [9, 9, 'PR'],
  [10, 27, 'MA'],
  [28, 29, 'RI'],
  [30, 38, 'NH'],
  [39, 49, 'ME'],
  [50, 54, 'VT'],
  [55, 55, 'MA'], // Andover (IRS)
  [56, 59, 'VT'],
  [60, 69, 'CT'],
  [70, 89, 'NJ'],
  [90, 98, 'AE'],
  [100, 149, 'NY'],
  [150, 196, 'PA'],
  [197, 199, 'DE'],
  [200, 200, 'DC'],
  [201, 201, 'VA'], // Dulles
  [202, 205, 'DC'],
  [206, 219, 'MD'],
  [220, 246, 'VA'],
  [247, 268, 'WV'],
  [270, 289, 'NC'],
  [290, 299, 'SC'],
  [300, 319, 'GA'],
  [320, 339, 'FL'],
  [340, 340, 'AA'],
  [341, 349, 'FL'],
  [350, 369, 'AL'],
  [370, 385, 'TN'],
  [386, 397, 'MS'],
  [398, 399, 'GA'],
  [400, 427, 'KY'],
  [430, 459, 'OH'],
  [460, 479, 'IN'],
  [480, 499, 'MI'],
  [500, 528, 'IA'],
  [530, 549, 'WI'],
  [550, 567, 'MN'],
  [569, 569, 'DC'], // parcel return
  [570, 577, 'SD'],
  [580, 588, 'ND'],
  [590, 599, 'MT'],
  [600, 629, 'IL'],
  [630, 658, 'MO'],
  [660, 679, 'KS'],
  [680, 693, 'NE'],
  [700, 714, 'LA'],
  [716, 729, 'AR'],
  [730, 731, 'OK'],
  [733, 733, 'TX'], // Austin (IRS)
  [734, 749, 'OK'],
  [750, 799, 'TX'],
  [800, 816, 'CO'],
  [820, 831, 'WY'],
  [832, 838, 'ID'],
  [840, 847, 'UT'],
  [850, 865, 'AZ'],
  [870, 884, 'NM'],
  [885, 885, 'TX'], // El Paso
  [889, 898, 'NV'],
  [900, 961, 'CA'],
  [962, 966, 'AP'],
  [967, 968, 'HI'],
  [969, 969, 'GU'],
  [970, 979, 'OR'],
  [980, 994, 'WA'],
  [995, 999, 'AK'],
];

/** Five-digit ranges whose state differs from their prefix's. */
const ZIP_EXCEPTIONS: ReadonlyArray<readonly [number, number, string]> = [
  [6390, 6390, 'NY'], // Fishers Island, in a Connecticut prefix
  [96799, 96799, 'AS'], // American Samoa, in a Hawaii prefix
  [96939, 96940, 'PW'],
  [96941, 96944, 'FM'],
  [96950, 96952, 'MP'],
  [96960, 96970, 'MH'],
];

const BY_PREFIX: ReadonlyMap<number, string> = new Map(
  PREFIX_RANGES.flatMap(([from, to, state]) => Array.from({ length: to - from + 1 }, (_, i) => [from + i, state] as const)),
);

/** The five-digit ZIP of a 5-digit or ZIP+4 code ("12345", "12345-6789", "123456789"); undefined if it is neither. */
export function zipFive(zip: string): string | undefined {
  const match = /^(\d{5})(?:-?\d{4})?$/.exec(zip.trim());
  return match?.[1];
}

/** The state a ZIP Code is in, or undefined for a malformed ZIP or an unassigned prefix. */
export function stateForZip(zip: string): string | undefined {
  const five = zipFive(zip);
  if (five === undefined) return undefined;
  const n = Number(five);
  const exception = ZIP_EXCEPTIONS.find(([from, to]) => n >= from && n <= to);
  return exception ? exception[2] : BY_PREFIX.get(Math.floor(n / 100));
}
