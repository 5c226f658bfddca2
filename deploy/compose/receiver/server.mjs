// Prints each request Herald sends (method, path, headers of interest, body) and keeps the last 1,000 in
// memory, listed as JSON at GET /requests.
import { createServer } from 'node:http';

const received = [];
createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/requests') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const entry = {
      at: new Date().toISOString(),
      method: req.method,
      path: req.url,
      traceparent: req.headers.traceparent,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    received.push(entry);
    if (received.length > 1_000) received.shift();
    console.log(JSON.stringify(entry));
    res.writeHead(200).end('ok');
  });
}).listen(8080, () => console.log('webhook receiver listening on :8080'));
