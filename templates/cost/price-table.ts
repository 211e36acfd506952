// The table lives in the pure layer so that the services agent, which prices each run, reads the
// same numbers as the template's cost estimate.
export * from '../../common/cost/price-table.js';
