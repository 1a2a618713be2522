/**
 * DUIS XML for the twin: safe parsing, Exclusive XML Canonicalization,
 * enveloped XML-DSig with ECDSA-SHA256, and DUIS request/response documents
 * ↔ the twin's types. Pure: no files, sockets, timers or clock. // DOMAIN §4.1
 * docs/duis-xml.md describes the documents, what is refused and why.
 */
export { duisXmlError, formatDuisXmlError, type DuisXmlError, type DuisXmlErrorCode } from './errors.ts';
export {
  attribute,
  attributeValue,
  childElements,
  element,
  indent,
  qname,
  text,
  textOf,
  withChildren,
  XML_NS,
  type XmlAttribute,
  type XmlElement,
  type XmlNamespace,
  type XmlNode,
  type XmlText,
} from './xml-tree.ts';
export { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from './xml-parser.ts';
export { C14N_10, canonicalBytes, canonicalize, EXC_C14N, serializeDocument, type C14nOptions } from './exc-c14n.ts';
export { fromBase64, toBase64 } from './base64.ts';
export {
  DSIG_ALGORITHMS,
  DSIG_NS,
  inspectSignature,
  signDocument,
  verifySignature,
  type KeyResolver,
  type SignatureFacts,
  type SignerIdentity,
  type XmlSigningKey,
} from './xml-dsig.ts';
export { RA_NS, SCHEMA_VERSION, SR_NS } from './duis-namespaces.ts';
export { formatDateTime, parseDateTime } from './xml-datetime.ts';
export {
  preCommandFromPayload,
  preCommandPayload,
  signedPreCommandFromPayload,
  signedPreCommandPayload,
  TWIN_GBCS_VERSION,
} from './gbcs-payload.ts';
export { readRequest, requestDocument, type RequestInput, type UnsignedRequest, type UserRoleOf } from './duis-request.ts';
export { readRequestBody, requestBodyElement } from './duis-request-body.ts';
export {
  readResponse,
  responseDocument,
  type DuisPreCommand,
  type DuisResponse,
  type DuisResponseBody,
  type DuisResponseHeader,
} from './duis-response.ts';
export { dccAlertOf, deviceAlertOf, responseOf, type ResponseContext } from './twin-responses.ts';
export {
  acceptRequest,
  preCommandOf,
  readSignedResponse,
  verifyRequest,
  writeRequest,
  writeResponse,
  type AcceptedRequest,
  type AcceptOptions,
  type CertificateDirectory,
} from './duis-gateway.ts';
