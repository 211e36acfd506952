#!/bin/bash
# The services boot's report to CloudFormation, which waits for it (CreationPolicy): a failed boot
# fails the install with its reason as the stack event instead of leaving a stack that looks
# healthy. Used by the user data (services-stub.sh) until the boot script takes over, then by it.

# signal_stack EXIT_CODE: cfn-signal SUCCESS, or FAILURE with boot_failure_reason.
signal_stack() {
  local rc=$1
  if [ "$rc" -eq 0 ]; then
    /opt/aws/bin/cfn-signal -e 0 --stack "$STACK_NAME" --resource "$SIGNAL_RESOURCE" \
      --region "$AWS_REGION" || true
  else
    /opt/aws/bin/cfn-signal -e "$rc" --reason "$(boot_failure_reason "$rc")" --stack "$STACK_NAME" \
      --resource "$SIGNAL_RESOURCE" --region "$AWS_REGION" || true
  fi
}
