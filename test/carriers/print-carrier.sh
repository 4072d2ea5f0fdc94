#!/bin/sh
# Not Node, no OpenTelemetry: a program that just sees the carrier variables.
echo "TRACEPARENT=$TRACEPARENT"
echo "TRACESTATE=$TRACESTATE"
echo "BAGGAGE=$BAGGAGE"
echo "USER_VAR=$USER_VAR"
