// QR codes as SVG for the join URL, on the dashboard and on printed cards. Error correction M
// survives a smudged printout; `scalable` lets CSS size it for a projector or a card.
import qrcode from 'qrcode-generator';

/** An <svg> element (as text) encoding `text`; black on white, with the standard quiet zone. */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  return qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
}
