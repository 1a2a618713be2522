/**
 * The flagship scenario at scale: `solr-disorderly-exit` under MP134B, its
 * estate for 28 days, the SRP switching every prepayment meter, the SoLR
 * taking every meter over. Reports meter-days per second (meters × days over
 * wall-clock seconds, the whole run: building the estate, the DSP's work,
 * the report) and peak RSS.
 *
 * Run: npm run bench:scenario [-- --premises 500000 --days 28]
 */
import { LIBRARY } from '../scenarios/library/index.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const premises = arg('premises', 500_000);
const days = arg('days', 28);
const scenario = LIBRARY.get('solr-disorderly-exit');
if (scenario === undefined) throw new Error('no flagship');
console.log(`solr-disorderly-exit (mp134b): ${premises.toLocaleString('en-GB')} premises × ${days} days, Node ${process.version}`);
const started = performance.now();
let lastDay = 0;
const report = await scenario.run({
  premises,
  days,
  onProgress: (_p, day) => {
    if (day !== lastDay && day % 7 === 0) console.log(`  day ${day}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    lastDay = day;
  },
});
const seconds = (performance.now() - started) / 1000;
const meters = report.policies[0]?.outcomes.all.meters ?? 0;
const meterDays = meters * days;
const rssGiB = process.resourceUsage().maxRSS / 1024 / 1024;
console.log(`meters ${meters.toLocaleString('en-GB')}, meter-days ${meterDays.toLocaleString('en-GB')}`);
console.log(
  `wall ${seconds.toFixed(1)} s, ${Math.round(meterDays / seconds).toLocaleString('en-GB')} meter-days/s, peak RSS ${rssGiB.toFixed(2)} GiB`,
);
console.log(`assertions: ${report.assertions.filter((a) => a.passed).length}/${report.assertions.length} passed`);
// A failure at scale is a finding of the run: say which, and the first story, so it can be followed up.
for (const a of report.assertions.filter((x) => !x.passed)) {
  console.log(`  ✗ ${a.name}: ${a.actual}`);
  for (const e of a.story?.events ?? []) console.log(`      ${e.at}  ${e.text}`);
}
