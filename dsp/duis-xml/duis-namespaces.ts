/**
 * DUIS namespaces and the schema version the twin writes. // DOMAIN §4.1
 *
 * Requests and responses alike are `sr:` documents (the Service User Gateway
 * namespace): DCC's own responses are `sr:Response` with `sr:Header` and
 * `sr:Body`, declaring the ResponseAndAlert namespace `ra:` for decoded
 * response content. The twin puts what it adds of its own — the named values
 * of a device response, the text of a DCC Alert — under `ra:`.
 */
export const SR_NS = 'http://www.dccinterface.co.uk/ServiceUserGateway';
export const RA_NS = 'http://www.dccinterface.co.uk/ResponseAndAlert';

/** The `schemaVersion` attribute written on the document element (DUIS V5.4 schema). */
export const SCHEMA_VERSION = '5.4';
