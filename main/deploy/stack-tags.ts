/** Every stack the app creates carries this tag, so a name clash with someone else's stack is told apart. */
export const BENCHTOP_TAG = 'benchtop:role';
