import { describe, expect, it } from 'vitest';
import { writeMarkdown } from '../../../scenarios/report/write-markdown.ts';
import { SAMPLE_REPORT } from './sample-report.ts';

const md = writeMarkdown(SAMPLE_REPORT);
const POLICY_B = 'SRP sends SR 1.6 &lt;Credit&gt;';

/** The lines of the table under a bold caption, header and separator included. */
function tableAfter(caption: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`**${caption}**`);
  expect(start, `table "${caption}"`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows;
}

describe('writeMarkdown', () => {
  it('puts the policies side by side in the outcomes table', () => {
    const t = tableAfter('Outcomes, policy by policy');
    expect(t[0]).toBe(`| Measure | Do nothing | ${POLICY_B} |`);
    expect(t[1]).toBe('| --- | ---: | ---: |');
    expect(t).toContain('| Consumers ever off supply | 140 of 1,000 (14.0 %) | 40 of 1,000 (4.0 %) |');
    expect(t).toContain('| Vulnerable consumers ever off supply | 45 of 300 (15.0 %) | 12 of 300 (4.0 %) |');
    expect(t).toContain('| Meter-hours off supply: credit exhausted | 866.7 h | 100.0 h |');
    expect(t).toContain('| Meters put into Credit mode after the instruction | no instruction | 13 of 15 (86.7 %) |');
  });

  it('splits meter-hours by group and cause for each policy', () => {
    const t = tableAfter(`Meter-hours off supply by group and cause — ${POLICY_B}`);
    expect(t).toHaveLength(2 + 5);
    expect(t).toContain('| Vulnerable | 300 | 480 | 30.0 h | 6.7 h | 0.0 h | 0.5 h | 37.2 h |');
  });

  it('counts service requests by response code, with each code in words', () => {
    const t = tableAfter('Service requests by response code');
    expect(t.slice(2).map((l) => l.split(' | ')[0])).toEqual(['| I0', '| E4', '| X2', '| X3', '| X9', '| ', '| ']);
    expect(t).toContain('| E4 | refused: the User is not registered for this device at this time | 0 | 1 |');
    expect(t).toContain('|  | all requests received | 3 | 33 |');
  });

  it('lists alerts with who received them', () => {
    expect(md).toContain(
      `| ${POLICY_B} | DCC | AD1 | Request quarantined by anomaly detection | SRP for Supplier X (90-B3-D5-1F-30-00-00-02) | 3 |`,
    );
    expect(md).toContain('| Do nothing | device | 0x810D | Low credit | no User (shown to the consumer only) | 480 |');
  });

  it('marks assertions ✓ and ✗ and tells the failed one’s story', () => {
    const t = tableAfter('Assertions: 1 passed, 1 failed');
    expect(t[2]).toMatch(/^\| ✓ passed \| Every instructed meter reaches Credit mode \|/);
    expect(t[3]).toMatch(/^\| ✗ failed \| No vulnerable consumer off for more than 60 minutes \|/);
    expect(md).toContain('**✗ 1 of 2 assertions failed.**');
    expect(md).toContain(`### ✗ No vulnerable consumer off for more than 60 minutes — ${POLICY_B}`);
    expect(md).toContain('- Device: gas meter (GSME) 00-DB-12-00-00-00-01-24');
    expect(md).toContain('2. Mon 5 Jan 2026 20:00 — The Authority instructs the SRP &lt;now&gt;');
  });

  it('shows the audit trail and whether its chain verifies', () => {
    expect(md).toContain('| The hash chain verifies | ✓ yes | ✗ no: breaks at record 41 (hash does not match the record) |');
  });

  it('escapes the scenario’s text: no raw HTML and no Markdown a name could start', () => {
    expect(md).not.toContain('<script>');
    expect(md.split('\n')[0]).toBe('# Scenario report: Supplier X fails &lt;script&gt;alert("x")&lt;/script&gt; &amp; co');
    expect(md).toContain('| armedPressDelay | 45 | minutes | default, UNVERIFIED \\| no public figure |');
  });

  it('keeps every table row one line with as many cells as its header', () => {
    const lines = md.split('\n');
    for (const [i, l] of lines.entries()) {
      if (!l.startsWith('|') || lines[i - 1]?.startsWith('|') === true) continue;
      const cells = (s: string): number => s.replace(/\\\|/g, '').split('|').length;
      for (let k = i; lines[k]?.startsWith('|') === true; k++) expect(cells(lines[k] ?? ''), lines[k]).toBe(cells(l));
    }
  });
});
