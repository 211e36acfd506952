import { describe, expect, it } from 'vitest';
import { parseCfnYaml, stringifyCfnYaml } from './cfn-yaml.js';

describe('CloudFormation YAML', () => {
  it('turns every short-form tag into the long form', () => {
    const t = parseCfnYaml(`
A: !Ref Name
B: !GetAtt Res.Attr
C: !GetAtt [Res, Attr]
D: !Sub 'x-\${AWS::Region}'
E: !If [Cond, !Ref X, !Ref AWS::NoValue]
F: !Equals [a, b]
G: !Not [!Condition Cond]
H: !And [!Condition A, !Condition B]
I: !Or [!Condition A, !Condition B]
J: !Select [0, !GetAZs '']
K: !Join ['', [a, b]]
L: !Split [',', 'a,b']
M: !FindInMap [Map, Key, Value]
N: !Base64 text
O: !ImportValue exported
P: !Cidr [10.0.0.0/16, 4, 8]
`);
    expect(t).toEqual({
      A: { Ref: 'Name' },
      B: { 'Fn::GetAtt': ['Res', 'Attr'] },
      C: { 'Fn::GetAtt': ['Res', 'Attr'] },
      D: { 'Fn::Sub': 'x-${AWS::Region}' },
      E: { 'Fn::If': ['Cond', { Ref: 'X' }, { Ref: 'AWS::NoValue' }] },
      F: { 'Fn::Equals': ['a', 'b'] },
      G: { 'Fn::Not': [{ Condition: 'Cond' }] },
      H: { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] },
      I: { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
      J: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      K: { 'Fn::Join': ['', ['a', 'b']] },
      L: { 'Fn::Split': [',', 'a,b'] },
      M: { 'Fn::FindInMap': ['Map', 'Key', 'Value'] },
      N: { 'Fn::Base64': 'text' },
      O: { 'Fn::ImportValue': 'exported' },
      P: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
    });
  });

  it('keeps dotted attribute names whole after the resource name', () => {
    expect(parseCfnYaml('A: !GetAtt Db.Endpoint.Address')).toEqual({ A: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] } });
  });

  it('round-trips through the long form it writes', () => {
    const t = parseCfnYaml('A: !Sub [\'${X}\', { X: !Ref Y }]\nB: !GetAtt R.Arn\n');
    expect(parseCfnYaml(stringifyCfnYaml(t))).toEqual(t);
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => parseCfnYaml('- a\n- b\n')).toThrow('must be a YAML mapping');
  });

  it('rejects duplicate keys, which CloudFormation would silently collapse', () => {
    expect(() => parseCfnYaml('A: 1\nA: 2\n')).toThrow();
  });
});
