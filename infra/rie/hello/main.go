// Command hello is the smallest Go Lambda function: the baseline the cold
// starts of the real functions are compared against.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "hello", nil })
}
