/**
 * Unit tests never reach the network: every SDK call is mocked with aws-sdk-client-mock. The
 * configuration names resources that do not exist, and the endpoints point at a closed port so
 * that an unmocked call fails at once instead of leaving the machine.
 */
process.env.AWS_REGION = 'eu-west-2';
process.env.AWS_ACCESS_KEY_ID = 'unit';
process.env.AWS_SECRET_ACCESS_KEY = 'unit';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
process.env.TABLE_NAME = 'unit-table';
process.env.JOB_QUEUE_URL = 'http://127.0.0.1:9/000000000000/unit-jobs';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
