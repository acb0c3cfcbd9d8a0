import { readFileSync } from 'node:fs';
const buf = readFileSync('/tmp/page.json');
const s = buf.toString('utf8');
const ascii = s.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const abuf = Buffer.from(ascii);
console.log('non-ascii chars', [...s].filter(c => c.charCodeAt(0) > 127).length, 'bytes', buf.length, abuf.length);
function bench(name, f) { for (let i = 0; i < 200; i++) f(); const t = performance.now(); for (let i = 0; i < 2000; i++) f(); console.log(name, ((performance.now() - t) / 2000 * 1000).toFixed(1), 'us'); }
bench('decode utf8 page', () => buf.toString('utf8', 0, buf.length));
bench('decode ascii page', () => abuf.toString('utf8', 0, abuf.length));
bench('encode utf8 page', () => Buffer.byteLength(s) + Buffer.from(s).length);
bench('encode ascii page', () => Buffer.byteLength(ascii) + Buffer.from(ascii).length);
bench('latin1 ascii page', () => abuf.toString('latin1', 0, abuf.length));
bench('ascii ascii page', () => abuf.toString('ascii', 0, abuf.length));
const td = new TextDecoder();
bench('TextDecoder utf8 page', () => td.decode(buf));
bench('TextDecoder ascii page', () => td.decode(abuf));
bench('small 1.8k x100 utf8', () => { for (let i = 0; i < 100; i++) buf.toString('utf8', i * 1800, i * 1800 + 1800); });
