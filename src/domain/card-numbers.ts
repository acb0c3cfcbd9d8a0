// Card numbers: Luhn-valid test PANs on the BIN of Qonto's examples (511768), masked as Qonto masks them.

export const QONTO_BIN = '511768';

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const isLuhnValid = (pan: string): boolean =>
  /^\d{12,19}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === Number(pan.at(-1));

/** A 16-digit PAN; `randomDigit` is injected so the domain stays pure. */
export function generatePan(randomDigit: () => number): string {
  let body = QONTO_BIN;
  while (body.length < 15) body += String(randomDigit());
  return body + String(luhnCheckDigit(body));
}

/** `511768******7662`: the first six and the last four digits. */
export const maskPan = (pan: string): string => `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
