// The AWS calls the agents make from their instances, on the JSON wire protocols the SDK speaks
// to them (SSM and CloudWatch Logs: awsJson1_1, CloudWatch: awsJson1_0), with the documented error
// names: SSM PutParameter refuses to overwrite without Overwrite (ParameterAlreadyExists) and
// GetParameter of a missing name is ParameterNotFound, and an overwrite cannot change the
// parameter's type (HierarchyTypeMismatchException); Logs refuses events for a group or stream
// that does not exist (ResourceNotFoundException) and a second CreateLogStream
// (ResourceAlreadyExistsException), and wants each batch in time order.

export interface StoredParameter {
  name: string;
  type: string;
  value: string;
  keyId?: string;
  version: number;
}

export interface PublishedMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  unit?: string;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

const fault = (status: number, type: string, message: string): JsonAnswer => ({ status, body: { __type: type, message } });
const ok = (body: unknown = {}): JsonAnswer => ({ status: 200, body });

export class FakeInstanceServices {
  readonly parameters = new Map<string, StoredParameter>();
  readonly metrics: PublishedMetric[] = [];
  /** Log group → stream → messages. */
  readonly logs = new Map<string, Map<string, string[]>>();

  constructor(private readonly arn: (service: string, resource: string) => string) {}

  /** As the services agent does on its first start: a token kept as a SecureString (the e2e seeds the admin token so). */
  putSecureString(name: string, value: string, keyId = 'alias/benchtop-token'): void {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, { name, type: 'SecureString', value, keyId, version });
  }

  /** The answer to an operation of ssm, monitoring or logs, or undefined for one this fake does not know. */
  handle(service: string, operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    if (service === 'ssm') return this.ssm(operation, input);
    if (service === 'monitoring') return this.cloudWatch(operation, input);
    if (service === 'logs') return this.cloudWatchLogs(operation, input);
    return undefined;
  }

  private ssm(operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    const name = String(input.Name ?? '');
    switch (operation) {
      case 'PutParameter': {
        const existing = this.parameters.get(name);
        if (existing && input.Overwrite !== true) return fault(400, 'ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
        if (existing && typeof input.Type === 'string' && input.Type !== existing.type) return fault(400, 'HierarchyTypeMismatchException', "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change a parameter from a String type to a SecureString type. You must create a new, unique parameter.");
        const type = String(input.Type ?? existing?.type ?? 'String');
        const version = (existing?.version ?? 0) + 1;
        this.parameters.set(name, { name, type, value: String(input.Value ?? ''), version, ...(typeof input.KeyId === 'string' ? { keyId: input.KeyId } : {}) });
        return ok({ Version: version, Tier: 'Standard' });
      }
      case 'GetParameter': {
        const p = this.parameters.get(name);
        if (!p) return fault(400, 'ParameterNotFound', `Parameter ${name} not found.`);
        const hidden = p.type === 'SecureString' && input.WithDecryption !== true;
        return ok({ Parameter: { Name: p.name, Type: p.type, Value: hidden ? 'encrypted' : p.value, Version: p.version, ARN: this.arn('ssm', `parameter${p.name}`) } });
      }
      case 'DeleteParameter':
        if (!this.parameters.delete(name)) return fault(400, 'ParameterNotFound', `Parameter ${name} not found.`);
        return ok();
      default:
        return undefined;
    }
  }

  private cloudWatch(operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    if (operation !== 'PutMetricData') return undefined;
    const namespace = String(input.Namespace ?? '');
    if (!namespace || namespace.startsWith('AWS/')) return fault(400, 'InvalidParameterValueException', `The value ${namespace} for parameter Namespace is invalid.`);
    const data = Array.isArray(input.MetricData) ? (input.MetricData as Record<string, unknown>[]) : [];
    if (data.length === 0 || data.length > 1000) return fault(400, 'InvalidParameterValueException', 'The collection MetricData must have between 1 and 1000 items.');
    for (const d of data) {
      const dimensions = Object.fromEntries(((d.Dimensions as { Name: string; Value: string }[] | undefined) ?? []).map((x) => [x.Name, x.Value]));
      this.metrics.push({ namespace, name: String(d.MetricName), dimensions, value: Number(d.Value ?? 0), ...(typeof d.Unit === 'string' ? { unit: d.Unit } : {}) });
    }
    return ok();
  }

  private cloudWatchLogs(operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    const group = String(input.logGroupName ?? '');
    const stream = String(input.logStreamName ?? '');
    const streams = this.logs.get(group);
    switch (operation) {
      case 'CreateLogGroup':
        if (streams) return fault(400, 'ResourceAlreadyExistsException', 'The specified log group already exists');
        this.logs.set(group, new Map());
        return ok();
      case 'CreateLogStream':
        if (!streams) return fault(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
        if (streams.has(stream)) return fault(400, 'ResourceAlreadyExistsException', 'The specified log stream already exists');
        streams.set(stream, []);
        return ok();
      case 'PutLogEvents': {
        const messages = streams?.get(stream);
        if (!messages) return fault(400, 'ResourceNotFoundException', `The specified ${streams ? 'log stream' : 'log group'} does not exist.`);
        const events = (input.logEvents as { timestamp: number; message: string }[] | undefined) ?? [];
        if (events.some((e, i) => i > 0 && e.timestamp < events[i - 1]!.timestamp)) return fault(400, 'InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        messages.push(...events.map((e) => e.message));
        return ok({});
      }
      default:
        return undefined;
    }
  }
}
