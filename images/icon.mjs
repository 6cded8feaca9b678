// Draws images/icon.png (128x128, the Marketplace minimum): a white shield with a
// clock on Azure blue, for "access that opens for a while and closes again".
// Pure Node (zlib + a hand-written PNG encoder) so it needs no image tool:
// `node images/icon.mjs` rewrites the file; the output is deterministic.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4; // 4x4 supersampling per pixel gives smooth edges
const BLUE = [0, 120, 212];
const WHITE = [255, 255, 255];

const inRoundedSquare = (x, y) => {
  const r = 24;
  const min = 4;
  const max = SIZE - 4;
  const cx = Math.min(Math.max(x, min + r), max - r);
  const cy = Math.min(Math.max(y, min + r), max - r);
  return x >= min && x <= max && y >= min && y <= max && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

// Shield: flat top, straight sides, then two arcs meeting in a point at the bottom.
const inShield = (x, y) => {
  const top = 18;
  const left = 28;
  const right = 100;
  const mid = 64;
  if (y < top + Math.abs(x - mid) * 0.28 || x < left || x > right) return false;
  if (y <= 64) return true;
  // below y=64 the width narrows along an ellipse to the point at y=112
  const half = (right - left) / 2;
  const t = (y - 64) / (112 - 64);
  if (t > 1) return false;
  return Math.abs(x - mid) <= half * Math.sqrt(1 - t * t);
};

const dist = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);
const nearSegment = (x, y, ax, ay, bx, by, w) => {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
  return dist(x, y, ax + t * vx, ay + t * vy) <= w / 2;
};

const CLOCK = { x: 64, y: 64, r: 22, ring: 6 };
function colourAt(x, y) {
  if (!inRoundedSquare(x, y)) return null;
  if (!inShield(x, y)) return BLUE;
  const d = dist(x, y, CLOCK.x, CLOCK.y);
  if (d <= CLOCK.r && d >= CLOCK.r - CLOCK.ring) return BLUE;
  if (nearSegment(x, y, CLOCK.x, CLOCK.y, CLOCK.x, CLOCK.y - 12, 5)) return BLUE;
  if (nearSegment(x, y, CLOCK.x, CLOCK.y, CLOCK.x + 9, CLOCK.y + 6, 5)) return BLUE;
  return WHITE;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let py = 0; py < SIZE; py += 1) {
  const row = py * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let px = 0; px < SIZE; px += 1) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SAMPLES; sy += 1) {
      for (let sx = 0; sx < SAMPLES; sx += 1) {
        const c = colourAt(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
    }
    const o = row + 1 + px * 4;
    raw[o] = a ? Math.round(r / a) : 0;
    raw[o + 1] = a ? Math.round(g / a) : 0;
    raw[o + 2] = a ? Math.round(b / a) : 0;
    raw[o + 3] = Math.round((255 * a) / (SAMPLES * SAMPLES));
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`images/icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
