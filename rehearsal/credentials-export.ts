import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { roleCode } from '../dsp/access/roles.ts';
import { privateKeyPem } from '../dsp/smki/pem.ts';
import type { Credential } from '../dsp/smki/smki.ts';
import { x509IssuerName } from '../dsp/smki/x509.ts';
import { DSP_ID, type PartyCredentials } from '../scenarios/runner/solr-world.ts';
import { ADMIN_PREFIX } from './admin-api.ts';
import { duisPath } from './duis-slot.ts';
import type { CredentialsContext } from './rehearsal.ts';
import type { RehearsalParty } from './rehearsal-world.ts';

/**
 * An external party's credentials as files an outside DUIS client loads:
 * X.509 certificates and PKCS#8 private keys in PEM (docs/smki.md "X.509 and
 * PEM"), and `party.json` saying who the party is and where the twin is.
 * // DOMAIN §4.1, §5.3; MP134B req 2; docs/rehearsal.md "Credentials"
 *
 * Every key here derives from the run's seed: test keys, never real ones.
 */

/** The files, by what they hold. */
export const CREDENTIAL_FILES = {
  /** The party's XML-signing certificate (role 0x87): it signs DUIS request documents with it. */
  xmlCertificate: 'xml-signing.cert.pem',
  xmlKey: 'xml-signing.key.pem',
  /** The Digital-Signing certificate it signs Pre-Commands with (an SRP's: the failed supplier's, held as agent). */
  signingCertificate: 'digital-signing.cert.pem',
  signingKey: 'digital-signing.key.pem',
  /** The Organisation CA that issued both, self-signed: the trust anchor. */
  organisationCa: 'organisation-ca.cert.pem',
  /** The DSP's XML-signing certificate (role 0x89): what the DSP's responses and alerts verify under. */
  dspCertificate: 'dsp-xml-signing.cert.pem',
  party: 'party.json',
} as const;

/** What `party.json` holds. Serials are decimal strings; URLs absolute. */
export interface PartyFile {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly eui64: string;
  /** The User Role codes it sends in (the registry's roles as the wire writes them: `SC` for SoLR Contingency). */
  readonly userRoles: readonly string[];
  readonly scenario: string;
  readonly policy: string;
  readonly xmlSigning: CertificateFile;
  /** Absent when the party signs no Pre-Commands (no Digital-Signing credential). */
  readonly digitalSigning?: CertificateFile & { readonly subject: string; readonly heldAsAgentFor: string | null };
  readonly organisationCa: string;
  readonly dsp: { readonly eui64: string; readonly certificate: string; readonly serial: string; readonly issuerName: string };
  readonly urls: {
    readonly serviceS: string;
    readonly serviceT: string;
    readonly serviceD: string;
    readonly admin: string;
    readonly status: string;
    /** The Receive Response Service URL at start (null: none yet); set it with `PUT setReceiveUrl`. */
    readonly receiveUrl: string | null;
    readonly setReceiveUrl: string;
  };
  readonly requestIdCounter: string;
}

interface CertificateFile {
  readonly certificate: string;
  readonly key: string;
  readonly serial: string;
  /** X509IssuerName as XML-DSig writes it (RFC 4514). */
  readonly issuerName: string;
}

/** Writes `party`'s credentials into `dir` (created if need be; keys readable by the owner only); returns the paths written. */
export async function exportPemCredentials(
  party: RehearsalParty,
  credentials: PartyCredentials,
  dir: string,
  context: CredentialsContext,
): Promise<readonly string[]> {
  const { world, origin } = context;
  const smki = world.smki;
  const pemOf = (c: Credential): string => {
    const pem = smki.certificatePem(c.certificate.serial);
    if (pem === undefined) throw new Error(`credentials-export: certificate ${c.certificate.serial} was not issued by this SMKI`);
    return pem;
  };
  const F = CREDENTIAL_FILES;
  const files: [name: string, text: string, secret: boolean][] = [
    [F.xmlCertificate, pemOf(credentials.xml), false],
    [F.xmlKey, privateKeyPem(credentials.xml.privateKey, credentials.xml.certificate.publicKey), true],
    [F.organisationCa, smki.authorityPem('organisation'), false],
    [F.dspCertificate, pemOf(world.dspXml), false],
  ];
  const signing = credentials.signing;
  if (signing !== undefined) {
    files.push(
      [F.signingCertificate, pemOf(signing), false],
      [F.signingKey, privateKeyPem(signing.privateKey, signing.certificate.publicKey), true],
    );
  }
  const alias = party.aliases[0] ?? party.id;
  const certificateFile = (c: Credential, certificate: string, key: string): CertificateFile => ({
    certificate,
    key,
    serial: c.certificate.serial.toString(),
    issuerName: x509IssuerName(c.certificate),
  });
  const json: PartyFile = {
    name: party.name,
    aliases: party.aliases,
    eui64: party.id,
    userRoles: (world.registry.user(party.id)?.roles ?? []).map((r) => roleCode(r, world.dsp.config.roleCodes)),
    scenario: context.scenario,
    policy: context.policy,
    xmlSigning: certificateFile(credentials.xml, F.xmlCertificate, F.xmlKey),
    ...(signing === undefined
      ? {}
      : {
          digitalSigning: {
            ...certificateFile(signing, F.signingCertificate, F.signingKey),
            subject: signing.certificate.subject,
            heldAsAgentFor: signing.certificate.subject === party.id ? null : signing.certificate.subject,
          },
        }),
    organisationCa: F.organisationCa,
    dsp: {
      eui64: DSP_ID,
      certificate: F.dspCertificate,
      serial: world.dspXml.certificate.serial.toString(),
      issuerName: x509IssuerName(world.dspXml.certificate),
    },
    urls: {
      serviceS: `${origin}${duisPath('serviceS')}`,
      serviceT: `${origin}${duisPath('serviceT')}`,
      serviceD: `${origin}${duisPath('serviceD')}`,
      admin: `${origin}${ADMIN_PREFIX}`,
      status: `${origin}/`,
      receiveUrl: context.receiveUrl,
      setReceiveUrl: `${origin}${ADMIN_PREFIX}/users/${encodeURIComponent(alias)}/receive-url`,
    },
    requestIdCounter: 'decimal, strictly increasing per originator; DCC tools use epoch milliseconds (DOMAIN §4.1)',
  };
  files.push([F.party, `${JSON.stringify(json, null, 2)}\n`, false]);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text, secret] of files) {
    const path = join(dir, name);
    await writeFile(path, text, { mode: secret ? 0o600 : 0o644 });
    // An existing file keeps its mode through writeFile: set it.
    await chmod(path, secret ? 0o600 : 0o644);
    written.push(path);
  }
  return written;
}
