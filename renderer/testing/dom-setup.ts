import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; on two busy CI cores a render after a mocked
// round trip can take longer. Five seconds still fails a condition that never holds.
configure({ asyncUtilTimeout: 5000 });
