// Package lists is the Lists engine behind WF's list module: named, typed
// sets of values that workflows test membership in, as in
//
//	when trigger.ip_address in list("blocked-ips") { … }
//	let hit = list("blocked-emails").match(trigger.email_address)
//
// It sits under the stdlib declaration of the list module (which turns WF
// values into Go values and adds the "lists." prefix to errors) and over a
// Store that the runtime implements on SQLite; it knows nothing of SQL.
// Everything here works on plain Go values, except module.go, which declares
// the WF functions (list, match, lists.add, lists.remove) over a Service.
//
// The pieces: Kind names a list's type; NewItem validates and canonicalizes
// one value into an Item; NewIndex builds an immutable, concurrency-safe
// Index over a list's items; ParseCSV reads Persona-style CSV imports; Store
// is the persistence interface (MemStore is an in-memory one); Service ties
// a Store to cached indexes and hands out Handles for lookups: a Handle is
// the index built from a list's items plus the changes made since, layered
// over it (handle.go), so that a change does not rebuild a large list.
//
// # Matching rules by kind
//
// Every value is trimmed of surrounding space first. An item's Value is its
// canonical form and its key within the list; a lookup is canonicalized the
// same way and compared with the keys. A malformed lookup matches nothing.
//
// ip_address: an IPv4 or IPv6 address, or a CIDR range ("10.0.0.0/8",
// "2001:db8::/32"). Addresses are kept in netip's form ("2001:db8::1"); a
// range has its host bits cleared ("10.1.2.3/8" becomes "10.0.0.0/8") and a
// full-length range is the address itself. IPv4-mapped IPv6 values
// ("::ffff:10.1.2.3", "::ffff:10.0.0.0/104") are stored and looked up as IPv4,
// and an IPv6 range that covers the mapped space (such as "::/0") also
// matches IPv4 lookups. An item must not carry a zone ("fe80::1%eth0"); a
// lookup's zone is ignored. A lookup matches an equal address first,
// otherwise the most specific range containing it, and the item returned is
// that range. A lookup may itself be a range, matching a range item that
// contains all of it.
//
// email_address: a whole address (match_type email_address) or a domain
// (match_type domain, written "gmail.com" or "@gmail.com"); without a
// match_type the value decides. Letters are lower-cased (Unicode), the
// local part is otherwise kept as is (no dot or "+tag" folding). A domain
// item's Value is "@gmail.com". An address matches an address item equal to
// it, otherwise a domain item for exactly its domain: "a@mail.gmail.com"
// does not match "@gmail.com", following Persona's "all email addresses with
// domain 'gmail.com'". A lookup without "@" is read as a domain.
//
// name: compared case- and accent-insensitively. A name is decomposed
// (NFKD), combining marks are dropped, letters are lower-cased, apostrophes
// are dropped ("O'Brien" is "obrien") and every run of other characters
// (spaces, hyphens, dots, commas) becomes one space, so "José  Ñúñez" and
// "jose nunez" are equal, as are "Jean-Luc" and "Jean Luc". An item is a full
// name or name_first and name_last (joined in that order); a lookup is a full
// name string, or a map with name_first and name_last. Word order matters
// and there is no nickname or fuzzy matching.
//
// phone_number: spaces, dashes, dots, slashes and parentheses are dropped;
// any other non-digit makes the value invalid. A leading "+" (or "00", the
// international call prefix) marks a country code and is kept in the Value
// ("+1 (555) 010-0000" is "+15550100000"), but matching compares digits
// only: "+1 (555) 010-0000", "15550100000" and "001-555-010-0000" all match
// each other, while the national form "5550100000" does not match them (no
// country is inferred). Items have 4 to 15 digits.
//
// country: an ISO 3166-1 alpha-2 code in any case, checked against the 249
// assigned codes plus XK (Kosovo's user-assigned code, used on identity
// documents); the Value is upper case.
//
// government_id_number: letters are upper-cased and spaces and dashes
// dropped ("d123-456 78" is "D12345678"); letters, digits, "/" and "." are
// allowed. An optional id_class ("dl", "pp", …; letters, digits, "_") is
// given as data or as a prefix "dl:D123"; the Value is "dl:D12345678". A
// lookup with a class (a "dl:" prefix, or a map with id_number and
// id_class) matches an item of that class or an item without a class; a
// lookup without a class matches any item with that number.
//
// browser_fingerprint, device_fingerprint: exact after trimming, case
// insensitive. string: exact after trimming, case sensitive.
//
// geolocation: an item is a point and a radius in meters, given as
// "lat,lng,radius" or as latitude, longitude and radius_meters data;
// coordinates are rounded to 7 decimals and the radius to centimeters (at
// most 20,000 km). A lookup is a point, as a map with latitude and longitude
// (numbers or numeric strings) or a "lat,lng" string; it matches when its
// haversine distance (mean Earth radius 6,371,008.8 m) to an item's center is
// at most the item's radius, and the item with the nearest center is
// returned. Items are filed in a multi-level latitude/longitude grid so a
// lookup checks only the items near it, across the antimeridian and poles.
//
// # Cost of a lookup
//
// Lookups take O(1) (hash maps) or O(address bits) (the prefix tries) time,
// or visit one grid cell per level in use, never every item. Index.Match
// with a string, and Index.MatchString, do not allocate for single IP
// addresses, emails, countries, phone numbers, fingerprints, strings and
// ASCII names of up to 256 bytes.
package lists
