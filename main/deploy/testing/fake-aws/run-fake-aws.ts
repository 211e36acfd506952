import { startFakeAws } from './server.js';

// Starts the fake AWS on its own and prints its URL: for trying the CLI by hand
// (`AWS_ENDPOINT_URL=<url> benchtop deploy …`) and for the e2e harness.
const certificate = { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555', domainName: '*.lab.example.org', status: 'ISSUED' };
const fake = await startFakeAws({ certificates: [certificate] });
process.stdout.write(`${JSON.stringify({ url: fake.url, certificateArn: certificate.arn })}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
