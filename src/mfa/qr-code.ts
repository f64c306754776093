/** The key URI as a QR code, in the two forms pages and apps use: a PNG data URL and an SVG document. */
export async function qrCodesOf(uri: string): Promise<{ png: string; svg: string }> {
  // Error correction M survives a slightly blurred phone camera without making the code too dense.
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  // Loaded on the first enrolment rather than held by every process from the start.
  const { default: QRCode } = await import('qrcode');
  const [png, svg] = await Promise.all([
    QRCode.toDataURL(uri, { ...options, width: 256 }),
    QRCode.toString(uri, { ...options, type: 'svg' }),
  ]);
  return { png, svg };
}
