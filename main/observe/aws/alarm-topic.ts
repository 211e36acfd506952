import { ListSubscriptionsByTopicCommand, type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { ApiError } from '../../../common/api/errors.js';

const PENDING = 'PendingConfirmation';
const MAX_PAGES = 20;

export interface TopicSubscription {
  arn: string;
  protocol: string;
  endpoint: string;
  pending: boolean;
}

export async function listTopicSubscriptions(sns: SNSClient, topicArn: string): Promise<TopicSubscription[]> {
  const out: TopicSubscription[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token ? { NextToken: token } : {}) }));
    for (const s of answer.Subscriptions ?? []) {
      const arn = s.SubscriptionArn ?? '';
      out.push({ arn, protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', pending: arn === PENDING });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return out;
}

/**
 * Subscribes an email address; AWS mails it a link and the subscription stays "pending
 * confirmation" until it is followed. Subscribing a pending address again sends the link again
 * (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html), which is how "resend" works.
 */
export async function subscribeEmail(sns: SNSClient, topicArn: string, email: string): Promise<{ pending: boolean }> {
  const answer = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: email }));
  return { pending: (answer.SubscriptionArn ?? '').toLowerCase().replace(/\s/g, '') === 'pendingconfirmation' };
}

export async function unsubscribe(sns: SNSClient, topicArn: string, arn: string): Promise<{ removed: boolean }> {
  if (arn === PENDING) {
    throw new ApiError('bad-input', 'A subscription pending confirmation cannot be removed.', 'AWS deletes it by itself if nobody confirms it within 3 days.');
  }
  if (!arn.startsWith(`${topicArn}:`)) throw new ApiError('bad-input', 'That subscription is not one of the alarm topic\'s.', 'Pick one from the list.');
  await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
  return { removed: true };
}
