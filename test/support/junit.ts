import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { create } from 'xmlbuilder2';
import { root } from './cli.js';

/** The published schema the JUnit XML is held to: Jenkins xUnit's junit-10.xsd (its source URL is in the file). */
export const JUNIT_XSD = join(root, 'test/fixtures/junit/junit-10.xsd');

/** libxml2's schema validation errors for an XML text (none: it validates against junit-10.xsd). */
export async function junitSchemaErrors(xml: string, fileName = 'junit.xml'): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName, contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: readFileSync(JUNIT_XSD, 'utf8') }] });
  // A file that is not even XML fails too: xmllint reports it, and valid is false.
  return r.valid ? [] : r.errors.length > 0 ? r.errors.map((e) => e.rawMessage) : [r.rawOutput];
}

/** What the tests read of an element (xmlbuilder2's DOM; the project compiles without the browser's DOM types). */
export interface XmlElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly children: ArrayLike<XmlElement>;
  getAttribute(name: string): string | null;
  getElementsByTagName(tag: string): ArrayLike<XmlElement>;
}

/** The elements named `tag` in an XML text, read back with the library that wrote it. */
export function elements(xml: string, tag: string): XmlElement[] {
  const doc = create(xml).doc().node as unknown as XmlElement;
  return Array.from(doc.getElementsByTagName(tag));
}
