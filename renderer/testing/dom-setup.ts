import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; on two busy CI cores a render after a mocked
// round trip can take several (a whole test of the app shell took 7-19 s at load 17-28). Fifteen
// seconds still fails a condition that never holds, well inside the project's 60 s test bound.
configure({ asyncUtilTimeout: 15_000 });
