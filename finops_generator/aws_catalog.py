"""Kestrel Commerce's AWS estate: two payers (organizations), their accounts, resources,
reserved instances and savings plans.

``legacy`` delivers a legacy CUR (CSV.gz, HOURLY); ``cur2`` is the data organisation that
moved to a CUR 2.0 Data Export (Parquet, HOURLY). Both share the line-item engine in
``aws.py``. Rates are list prices rounded to at most 7 decimals so every cost is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._units import hexid, stable_int, units
from .company import AWS_TAGS, BUSINESS_UNIT, make_tags, pick_untagged
from .periods import HOUR, Month

REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)"}
_PREFIX = {"us-east-1": "", "us-west-2": "USW2-"}
RI_B_ENDS_AFTER_DAYS = 45
"""The search indexer's reservation ends this many days after the end of the last generated
month (at midnight UTC), inside the three months a forecast looks ahead."""
_NORMALIZATION = {"medium": "2", "large": "4", "xlarge": "8", "2xlarge": "16", "4xlarge": "32"}


@dataclass(frozen=True)
class Sku:
    """What a resource's usage rows look like (one product, usage type and price)."""

    product_code: str
    usage_type: str
    operation: str
    unit: str
    rate: str
    daily: bool
    qty: str
    """Usage per slot (hour or day) before noise."""
    product_name: str
    family: str
    region: str
    description: str
    step: str = "0.001"
    noise: float = 0.0
    weekly: float = 0.0
    instance_type: str = ""
    nf: str | None = None
    from_location: str = ""
    to_location: str = ""

    @property
    def rate7(self) -> int:
        return units(self.rate, 7)


def ec2(itype: str, region: str, rate: str) -> Sku:
    return Sku(
        product_code="AmazonEC2",
        usage_type=f"{_PREFIX[region]}BoxUsage:{itype}",
        operation="RunInstances",
        unit="Hrs",
        rate=rate,
        daily=False,
        qty="1",
        product_name="Amazon Elastic Compute Cloud",
        family="Compute Instance",
        region=region,
        description=f"${rate} per On Demand Linux {itype} Instance Hour",
        instance_type=itype,
        nf=_NORMALIZATION[itype.split(".")[1]],
    )


def hourly(
    code: str,
    name: str,
    family: str,
    region: str,
    usage_type: str,
    operation: str,
    rate: str,
    description: str,
    itype: str = "",
) -> Sku:
    return Sku(
        code,
        usage_type,
        operation,
        "Hrs",
        rate,
        False,
        "1",
        name,
        family,
        region,
        description,
        instance_type=itype,
    )


def daily(
    code: str,
    name: str,
    family: str,
    region: str,
    usage_type: str,
    operation: str,
    unit: str,
    rate: str,
    qty: str,
    description: str,
    step: str = "0.001",
    noise: float = 0.15,
    weekly: float = 0.5,
    **extra: str,
) -> Sku:
    return Sku(
        code,
        usage_type,
        operation,
        unit,
        rate,
        True,
        qty,
        name,
        family,
        region,
        description,
        step=step,
        noise=noise,
        weekly=weekly,
        **extra,
    )


def s3_storage(region: str, gb_month_per_day: str) -> Sku:
    return daily(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "Storage",
        region,
        f"{_PREFIX[region] or 'USE1-'}TimedStorage-ByteHrs",
        "StandardStorage",
        "GB-Mo",
        "0.023",
        gb_month_per_day,
        "$0.023 per GB - first 50 TB / month of storage used",
        noise=0.02,
        weekly=0.0,
    )


def s3_requests(region: str, per_day: str) -> Sku:
    return daily(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "API Request",
        region,
        f"{_PREFIX[region] or 'USE1-'}Requests-Tier1",
        "PutObject",
        "Requests",
        "0.000005",
        per_day,
        "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
        step="1",
    )


def data_transfer_out(region: str, gb_per_day: str) -> Sku:
    return daily(
        "AWSDataTransfer",
        "AWS Data Transfer",
        "Data Transfer",
        region,
        f"{_PREFIX[region] or 'USE1-'}DataTransfer-Out-Bytes",
        "",
        "GB",
        "0.09",
        gb_per_day,
        "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
        from_location=REGION_NAMES[region],
        to_location="External",
    )


@dataclass
class Reservation:
    """A regional EC2 reserved instance (standard, size-fixed)."""

    key: str
    sku: Sku
    count: int
    payment: str
    amort: str
    """Amortized upfront fee per instance-hour (upfront = amort x term hours x count)."""
    recurring: str
    start_s: int
    term_years: int = 1
    arn: str = ""
    subscription_id: str = ""

    @property
    def end_s(self) -> int:
        return self.start_s + self.term_hours * HOUR

    @property
    def term_hours(self) -> int:
        return 8760 * self.term_years

    @property
    def upfront(self) -> int:
        return units(self.amort, 7) * 1000 * self.term_hours * self.count


@dataclass
class SavingsPlan:
    """An EC2 Instance Savings Plan (one family in one region)."""

    key: str
    family: str
    region: str
    payment: str
    commitment: str
    """Hourly commitment in USD."""
    start_s: int
    term_years: int = 1
    arn: str = ""

    @property
    def end_s(self) -> int:
        return self.start_s + 8760 * self.term_years * HOUR

    @property
    def commit10(self) -> int:
        return units(self.commitment)

    @property
    def recurring10(self) -> int:
        return 0 if self.payment == "All Upfront" else self.commit10

    @property
    def amort10(self) -> int:
        return self.commit10 - self.recurring10

    @property
    def upfront(self) -> int:
        return self.amort10 * 8760 * self.term_years


@dataclass
class Resource:
    uid: str
    account: str
    sku: Sku
    team: str
    env: str
    az: str = ""
    start_h: int = 0
    end_h: int = 2**40
    down: tuple[int, int] = (-1, -1)
    office: bool = False
    cover: tuple[str, int] | None = None
    sp_rate: str | None = None
    entity: str = "AWS"
    legal_entity: str = "Amazon Web Services, Inc."
    marketplace: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    tagged: bool = True


@dataclass
class Spike:
    resource: int
    month: int
    day: int
    extra_qty: str
    description: str
    kind: str = "spike"
    """spike, step or drift (grid.injected_qty)."""


@dataclass
class Payer:
    key: str
    payer_id: str
    payer_name: str
    accounts: dict[str, tuple[str, str]]
    """account id -> (name, owning team)."""
    resources: list[Resource]
    reservations: list[Reservation]
    savings_plans: list[SavingsPlan]
    spikes: list[Spike]
    support_code: str
    support_pct: str
    tax_rate: str = "0.0625"

    def business_unit(self, account: str) -> str:
        return BUSINESS_UNIT[self.accounts[account][1]]


def _instance_id(*parts: object) -> str:
    return "i-0" + hexid(16, *parts)


def _fleet(
    seed: int,
    payer: str,
    count: int,
    months: list[Month],
    accounts: dict[str, str],
    types: list[tuple[str, str]],
    region: str,
) -> list[Resource]:
    """``count`` autoscaled/long-lived instances spread over teams, envs and lifetimes."""
    out = []
    lo, hi = months[0].start_h, months[-1].end_h
    span = hi - lo
    team_accounts = list(accounts.items())
    for i in range(count):
        h = stable_int(seed, payer, "fleet", i)
        account, team = team_accounts[h % len(team_accounts)]
        itype, rate = types[(h >> 8) % len(types)]
        env = ("prod", "prod", "staging", "dev")[(h >> 16) % 4]
        start, end = lo - 24 * 30, hi + 24 * 30
        if (h >> 20) % 10 < 4:  # autoscaled: lives part of the window
            start = lo + (h >> 24) % max(span - 72, 1)
            end = min(hi, start + 72 + (h >> 40) % span)
        out.append(
            Resource(
                uid=_instance_id(seed, payer, "fleet", i),
                account=account,
                sku=ec2(itype, region, rate),
                team=team,
                env=env,
                az=f"{region}{'abc'[(h >> 12) % 3]}",
                start_h=start,
                end_h=end,
                office=env == "dev",
            )
        )
    return out


def _spike_month(months: list[Month]) -> int:
    return 1 if len(months) > 1 else 0


def legacy_payer(seed: int, months: list[Month], fleet: int) -> Payer:
    """The main organisation: legacy CUR, RIs (all three payment options), an EC2 SP."""
    first = months[0]
    lo, hi = first.start_h - 24 * 400, months[-1].end_h + 24 * 400
    payer = "012345678901"
    acct = {
        "012345678901": ("kestrel-management", "platform"),
        "023456789012": ("kestrel-payments-prod", "payments"),
        "034567890123": ("kestrel-search-prod", "search"),
        "045678901234": ("kestrel-checkout-prod", "checkout"),
        "056789012345": ("kestrel-shared-platform", "platform"),
        "067890123456": ("kestrel-staging", "platform"),
        "078901234567": ("kestrel-dev", "platform"),
    }
    pay, srch, chk, shared, stg, dev = list(acct)[1:]
    r = "us-east-1"
    down_month = months[_spike_month(months)]
    sp = SavingsPlan(
        "sp-legacy", "m6i", r, "No Upfront", "0.12", start_s=(first.start_h - 24 * 120) * HOUR
    )
    ri_a = Reservation(
        "ri-a",
        ec2("m5.xlarge", r, "0.192"),
        1,
        "No Upfront",
        "0",
        "0.121",
        start_s=(first.start_h - 24 * 150 + 9) * HOUR,
    )
    ri_b = Reservation(
        "ri-b",
        ec2("r6g.large", r, "0.1008"),
        1,
        "Partial Upfront",
        "0.031",
        "0.032",
        start_s=(months[-1].end_h + 24 * RI_B_ENDS_AFTER_DAYS - 8760) * HOUR,
    )
    ri_c = Reservation(
        "ri-c",
        ec2("c6i.2xlarge", r, "0.34"),
        3,
        "All Upfront",
        "0.2",
        "0",
        start_s=first.day_at(10, 10),
    )
    res: list[Resource] = [
        Resource(
            _instance_id(seed, "pay-api", 1),
            pay,
            ec2("m6i.large", r, "0.096"),
            "payments",
            "prod",
            f"{r}a",
            lo,
            hi,
            cover=("sp", 0),
            sp_rate="0.06",
        ),
        Resource(
            _instance_id(seed, "pay-api", 2),
            pay,
            ec2("m6i.large", r, "0.096"),
            "payments",
            "prod",
            f"{r}a",
            lo,
            hi,
            down=(down_month.start_h + 24 * 9, down_month.start_h + 24 * 18),
            cover=("sp", 0),
            sp_rate="0.06",
        ),
        Resource(
            f"arn:aws:rds:{r}:{pay}:db:payments-ledger",
            pay,
            hourly(
                "AmazonRDS",
                "Amazon Relational Database Service",
                "Database Instance",
                r,
                "InstanceUsage:db.r6g.large",
                "CreateDBInstance:0014",
                "0.225",
                "$0.225 per RDS db.r6g.large instance hour (or partial hour) running PostgreSQL",
                "db.r6g.large",
            ),
            "payments",
            "prod",
            f"{r}b",
            lo,
            hi,
        ),
        Resource("kestrel-payments-ledger", pay, s3_storage(r, "81.000"), "payments", "prod"),
        Resource("kestrel-payments-ledger", pay, s3_requests(r, "1200000"), "payments", "prod"),
        Resource(
            f"arn:aws:dynamodb:{r}:{pay}:table/payments-idempotency",
            pay,
            daily(
                "AmazonDynamoDB",
                "Amazon DynamoDB",
                "Provisioned IOPS",
                r,
                "WriteCapacityUnit-Hrs",
                "CommittedThroughput",
                "WriteCapacityUnit-Hrs",
                "0.00065",
                "4800",
                "$0.00065 per WriteCapacityUnit-hour",
                step="1",
                noise=0.0,
                weekly=0.0,
            ),
            "payments",
            "prod",
        ),
        Resource(
            f"arn:aws:kms:{r}:{pay}:key/{hexid(8, seed, 'kms')}",
            pay,
            daily(
                "awskms",
                "AWS Key Management Service",
                "Encryption Key",
                r,
                "USE1-KMS-Requests",
                "Decrypt",
                "Requests",
                "0.000003",
                "900000",
                "$0.03 per 10,000 requests",
                step="1",
            ),
            "payments",
            "prod",
        ),
        Resource(
            f"arn:aws:es:{r}:{srch}:domain/search-prod",
            srch,
            hourly(
                "AmazonES",
                "Amazon OpenSearch Service",
                "Amazon OpenSearch Service Instance",
                r,
                "ESInstance:r6g.large",
                "ESDomain",
                "0.167",
                "$0.167 per r6g.large.search instance hour (or partial hour)",
                "r6g.large.search",
            ),
            "search",
            "prod",
            f"{r}c",
            lo,
            hi,
        ),
        Resource(
            _instance_id(seed, "search-indexer"),
            srch,
            ec2("r6g.large", r, "0.1008"),
            "search",
            "prod",
            f"{r}b",
            lo,
            hi,
            cover=("ri", 1),
        ),
        Resource(
            _instance_id(seed, "search-api", 1),
            srch,
            ec2("m6g.xlarge", r, "0.154"),
            "search",
            "prod",
            f"{r}c",
            lo,
            hi,
        ),
        Resource("kestrel-search-index", srch, s3_storage(r, "32.000"), "search", "prod"),
        Resource(
            _instance_id(seed, "search-api", 1), srch, data_transfer_out(r, "420"), "search", "prod"
        ),
        Resource(
            f"arn:aws:marketplace:{r}:{srch}:subscription/vectoria-{hexid(6, seed, 'vx')}",
            srch,
            daily(
                "4x8q2m7k1p9z3v5n6b0c1d2e3",
                "Vectoria Search Cloud Pro",
                "SaaS",
                r,
                "SaaS-Queries",
                "Query",
                "Queries",
                "0.0004",
                "180000",
                "Vectoria Search Cloud Pro - queries",
                step="1",
                noise=0.2,
            ),
            "search",
            "prod",
            entity="AWS Marketplace",
            legal_entity="Vectoria Labs, Inc.",
            marketplace=True,
        ),
        Resource(
            _instance_id(seed, "checkout-web"),
            chk,
            ec2("m5.xlarge", r, "0.192"),
            "checkout",
            "prod",
            f"{r}a",
            lo,
            hi,
            cover=("ri", 0),
        ),
        Resource(
            f"arn:aws:lambda:{r}:{chk}:function:checkout-api",
            chk,
            daily(
                "AWSLambda",
                "AWS Lambda",
                "Serverless",
                r,
                "Request",
                "Invoke",
                "Requests",
                "0.0000002",
                "9500000",
                "AWS Lambda - Total Requests",
                step="1",
            ),
            "checkout",
            "prod",
        ),
        Resource(
            f"arn:aws:apigateway:{r}::/restapis/{hexid(10, seed, 'apigw')}",
            chk,
            daily(
                "AmazonApiGateway",
                "Amazon API Gateway",
                "API Calls",
                r,
                "USE1-ApiGatewayRequest",
                "ApiGatewayRequest",
                "Requests",
                "0.0000035",
                "2500000",
                "$3.50/million requests - first 333 million requests/month",
                step="1",
            ),
            "checkout",
            "prod",
        ),
        Resource("kestrel-checkout-assets", chk, s3_storage(r, "12.500"), "checkout", "prod"),
        Resource(
            f"arn:aws:eks:{r}:{shared}:cluster/platform-prod",
            shared,
            hourly(
                "AmazonEKS",
                "Amazon Elastic Container Service for Kubernetes",
                "Compute",
                r,
                "USE1-AmazonEKS-Hours:perCluster",
                "CreateOperation",
                "0.10",
                "Amazon EKS cluster usage in US East (N. Virginia)",
            ),
            "platform",
            "prod",
            "",
            lo,
            hi,
        ),
        Resource(
            f"arn:aws:ec2:{r}:{shared}:natgateway/nat-0{hexid(16, seed, 'nat')}",
            shared,
            hourly(
                "AmazonEC2",
                "Amazon Elastic Compute Cloud",
                "NAT Gateway",
                r,
                "USE1-NatGateway-Hours",
                "NatGateway",
                "0.045",
                "$0.045 per NAT Gateway Hour",
            ),
            "platform",
            "prod",
            f"{r}a",
            lo,
            hi,
        ),
        Resource(
            f"arn:aws:ec2:{r}:{shared}:natgateway/nat-0{hexid(16, seed, 'nat')}",
            shared,
            daily(
                "AmazonEC2",
                "Amazon Elastic Compute Cloud",
                "NAT Gateway",
                r,
                "USE1-NatGateway-Bytes",
                "NatGateway",
                "GB",
                "0.045",
                "310",
                "$0.045 per GB Data Processed by NAT Gateways",
            ),
            "platform",
            "prod",
        ),
        Resource(
            _instance_id(seed, "eks-node", 1),
            shared,
            ec2("c6i.2xlarge", r, "0.34"),
            "platform",
            "prod",
            f"{r}a",
            lo,
            hi,
            cover=("ri", 2),
        ),
        Resource(
            _instance_id(seed, "eks-node", 2),
            shared,
            ec2("c6i.2xlarge", r, "0.34"),
            "platform",
            "prod",
            f"{r}b",
            lo,
            hi,
            cover=("ri", 2),
        ),
        Resource(
            f"vol-0{hexid(16, seed, 'ebs')}",
            shared,
            daily(
                "AmazonEC2",
                "Amazon Elastic Compute Cloud",
                "Storage",
                r,
                "EBS:VolumeUsage.gp3",
                "CreateVolume-Gp3",
                "GB-Mo",
                "0.08",
                "19.355",
                "$0.08 per GB-month of General Purpose (gp3) provisioned storage",
                noise=0.0,
                weekly=0.0,
            ),
            "platform",
            "prod",
        ),
        Resource(
            f"arn:aws:logs:{r}:{shared}:log-group:/aws/eks/platform-prod/cluster",
            shared,
            daily(
                "AmazonCloudWatch",
                "AmazonCloudWatch",
                "Data Payload",
                r,
                "USE1-DataProcessing-Bytes",
                "PutLogEvents",
                "GB",
                "0.5",
                "38",
                "$0.50 per GB custom log data ingested",
            ),
            "platform",
            "prod",
        ),
        Resource(
            f"arn:aws:elasticloadbalancing:{r}:{chk}:loadbalancer/app/checkout-web/"
            f"{hexid(16, seed, 'alb')}",
            chk,
            daily(
                "AWSELB",
                "Elastic Load Balancing",
                "Load Balancer-Application",
                r,
                "USE1-LCUUsage",
                "LoadBalancing:Application",
                "LCU-Hrs",
                "0.008",
                "260",
                "$0.008 per used Application load balancer capacity unit-hour (or partial hour)",
            ),
            "checkout",
            "prod",
        ),
        Resource(
            f"arn:aws:route53:::hostedzone/Z{hexid(12, seed, 'r53').upper()}",
            shared,
            daily(
                "AmazonRoute53",
                "Amazon Route 53",
                "DNS Query",
                "us-east-1",
                "DNS-Queries",
                "Query",
                "Queries",
                "0.0000004",
                "21000000",
                "$0.40 per 1,000,000 queries for the first 1 Billion queries",
                step="1",
            ),
            "platform",
            "prod",
        ),
        Resource(
            f"arn:aws:cloudtrail:{r}:{payer}:trail/org-trail",
            payer,
            daily(
                "AWSCloudTrail",
                "AWS CloudTrail",
                "Management Tools - AWS CloudTrail Data Events Recorded",
                r,
                "USE1-PaidEventsRecorded",
                "None",
                "Events",
                "0.00001",
                "650000",
                "0.00001 per data event recorded",
                step="1",
            ),
            "platform",
            "prod",
        ),
        Resource(
            _instance_id(seed, "staging-web"),
            stg,
            ec2("t3.large", r, "0.0832"),
            "checkout",
            "staging",
            f"{r}b",
            lo,
            hi,
        ),
        Resource(
            _instance_id(seed, "dev-box", 1),
            dev,
            ec2("t3.medium", r, "0.0416"),
            "search",
            "dev",
            f"{r}a",
            lo,
            hi,
            office=True,
        ),
        Resource(
            _instance_id(seed, "dev-box", 2),
            dev,
            ec2("t3.medium", r, "0.0416"),
            "payments",
            "dev",
            f"{r}c",
            lo,
            hi,
            office=True,
        ),
    ]
    dt_idx = next(i for i, x in enumerate(res) if x.sku.product_code == "AWSDataTransfer")
    ddb_idx = next(i for i, x in enumerate(res) if x.sku.product_code == "AmazonDynamoDB")
    s3_idx = next(i for i, x in enumerate(res) if x.sku.usage_type.endswith("TimedStorage-ByteHrs"))
    spikes = [
        Spike(
            dt_idx,
            _spike_month(months),
            17,
            "3600",
            "search re-index pushed results to a partner over the internet",
        ),
        Spike(
            ddb_idx,
            _spike_month(months),
            11,
            "60000",
            "payments table provisioned for a load test and never scaled back",
            kind="step",
        ),
        Spike(
            s3_idx,
            _spike_month(months),
            6,
            "2800",
            "ledger exports kept forever after a lifecycle rule was dropped",
            kind="drift",
        ),
    ]
    team_accounts = {
        pay: "payments",
        srch: "search",
        chk: "checkout",
        stg: "checkout",
        dev: "search",
    }
    res += _fleet(
        seed,
        "legacy",
        fleet,
        months,
        team_accounts,
        [
            ("t3.large", "0.0832"),
            ("m7g.large", "0.0816"),
            ("c6g.xlarge", "0.136"),
            ("r6i.large", "0.126"),
        ],
        r,
    )
    return Payer(
        "legacy",
        payer,
        "kestrel-management",
        acct,
        res,
        [ri_a, ri_b, ri_c],
        [sp],
        spikes,
        "AWSSupportEnterprise",
        "0.03",
    )


def cur2_payer(seed: int, months: list[Month], fleet: int) -> Payer:
    """The data organisation: CUR 2.0 export, an All Upfront SP bought in the window."""
    first = months[0]
    lo, hi = first.start_h - 24 * 400, months[-1].end_h + 24 * 400
    payer = "098765432109"
    acct = {
        "098765432109": ("kestrel-data-management", "platform"),
        "009876543210": ("kestrel-data-platform-prod", "data-platform"),
        "087654321098": ("kestrel-ml-prod", "ml"),
        "076543210987": ("kestrel-ml-dev", "ml"),
    }
    data, ml, mldev = list(acct)[1:]
    r = "us-west-2"
    buy = months[1] if len(months) > 1 else first
    sp = SavingsPlan("sp-data", "c7g", r, "All Upfront", "0.198", start_s=buy.start_s)
    res = [
        Resource(
            _instance_id(seed, "ml-feature", 1),
            ml,
            ec2("c7g.xlarge", r, "0.145"),
            "ml",
            "prod",
            f"{r}a",
            lo,
            hi,
            cover=("sp", 0),
            sp_rate="0.099",
        ),
        Resource(
            _instance_id(seed, "ml-feature", 2),
            ml,
            ec2("c7g.xlarge", r, "0.145"),
            "ml",
            "prod",
            f"{r}a",
            lo,
            hi,
            cover=("sp", 0),
            sp_rate="0.099",
        ),
        Resource(
            f"arn:aws:sagemaker:{r}:{ml}:endpoint/recommender-prod",
            ml,
            hourly(
                "AmazonSageMaker",
                "Amazon SageMaker",
                "ML Instance",
                r,
                "USW2-Host:ml.g5.xlarge",
                "RunInstance",
                "1.408",
                "$1.408 per Hosting ml.g5.xlarge hour in US West (Oregon)",
                "ml.g5.xlarge",
            ),
            "ml",
            "prod",
            f"{r}b",
            lo,
            hi,
        ),
        Resource(
            f"arn:aws:sagemaker:{r}:{ml}:training-job/recommender-nightly",
            ml,
            daily(
                "AmazonSageMaker",
                "Amazon SageMaker",
                "ML Instance",
                r,
                "USW2-Train:ml.p3.2xlarge",
                "RunInstance",
                "Hrs",
                "3.825",
                "6",
                "$3.825 per Training ml.p3.2xlarge hour in US West (Oregon)",
                instance_type="ml.p3.2xlarge",
                noise=0.3,
                weekly=0.0,
            ),
            "ml",
            "prod",
        ),
        Resource("kestrel-ml-artifacts", ml, s3_storage(r, "48.000"), "ml", "prod"),
        Resource(
            f"arn:aws:redshift:{r}:{data}:namespace:{hexid(8, seed, 'rs')}",
            data,
            hourly(
                "AmazonRedshift",
                "Amazon Redshift",
                "Compute Instance",
                r,
                "USW2-Node:ra3.xlplus",
                "RunComputeNode:0001",
                "1.086",
                "$1.086 per RA3 XLPlus Compute Node Hour",
                "ra3.xlplus",
            ),
            "data-platform",
            "prod",
            f"{r}a",
            lo,
            hi,
        ),
        Resource(
            f"arn:aws:glue:{r}:{data}:job/ingest-orders",
            data,
            daily(
                "AWSGlue",
                "AWS Glue",
                "AWS Glue",
                r,
                "USW2-ETL-DPU-Hour",
                "Jobrun",
                "DPU-Hour",
                "0.44",
                "96",
                "$0.44 per DPU-Hour for each Apache Spark or Spark Streaming job",
            ),
            "data-platform",
            "prod",
        ),
        Resource(
            f"arn:aws:athena:{r}:{data}:workgroup/analysts",
            data,
            daily(
                "AmazonAthena",
                "Amazon Athena",
                "Data Scanned",
                r,
                "USW2-DataScannedInTB",
                "RunQuery",
                "Terabytes",
                "5",
                "1.8",
                "5.00 USD per Terabytes for DataScannedInTB in US West (Oregon)",
                noise=0.4,
            ),
            "data-platform",
            "prod",
        ),
        Resource("kestrel-data-lake", data, s3_storage(r, "640.000"), "data-platform", "prod"),
        Resource(
            f"arn:aws:kinesis:{r}:{data}:stream/orders",
            data,
            daily(
                "AmazonKinesis",
                "Amazon Kinesis",
                "Kinesis Streams",
                r,
                "USW2-Storage-ShardHour",
                "shardHourStorage",
                "ShardHour",
                "0.015",
                "96",
                "$0.015 per shard hour",
                noise=0.0,
                weekly=0.0,
            ),
            "data-platform",
            "prod",
        ),
        Resource(
            f"arn:aws:sagemaker:{r}:{mldev}:notebook-instance/research",
            mldev,
            hourly(
                "AmazonSageMaker",
                "Amazon SageMaker",
                "ML Instance",
                r,
                "USW2-Notebk:ml.t3.medium",
                "RunInstance",
                "0.05",
                "$0.05 per On Demand Notebook ml.t3.medium hour",
                "ml.t3.medium",
            ),
            "ml",
            "dev",
            f"{r}a",
            lo,
            hi,
            office=True,
        ),
    ]
    spikes = [Spike(3, 0, 9, "40", "hyper-parameter sweep left running on p3 instances")]
    res += _fleet(
        seed,
        "cur2",
        fleet,
        months,
        {data: "data-platform", ml: "ml", mldev: "ml"},
        [
            ("m6i.large", "0.096"),
            ("r6g.xlarge", "0.2016"),
            ("t3.xlarge", "0.1664"),
            ("c6i.xlarge", "0.17"),
        ],
        r,
    )
    return Payer(
        "cur2",
        payer,
        "kestrel-data-management",
        acct,
        res,
        [],
        [sp],
        spikes,
        "AWSSupportBusiness",
        "0.07",
    )


def finalize(payer: Payer, seed: int, expected_list_cost) -> None:
    """Fill ARNs and tags; leave ~15% of expected usage spend without a team tag."""
    for i, ri in enumerate(payer.reservations):
        ri.arn = (
            f"arn:aws:ec2:{ri.sku.region}:{payer.payer_id}:reserved-instances/"
            f"{hexid(8, seed, payer.key, 'ri', i)}-{hexid(4, seed, 'ri2', i)}-"
            f"{hexid(4, seed, 'ri3', i)}-{hexid(4, seed, 'ri4', i)}-"
            f"{hexid(12, seed, 'ri5', i)}"
        )
        ri.subscription_id = str(stable_int(seed, "sub", payer.key, i) % 10**10)
    for i, sp in enumerate(payer.savings_plans):
        sp.arn = (
            f"arn:aws:savingsplans::{payer.payer_id}:savingsplan/"
            f"{hexid(8, seed, 'sp', payer.key, i)}-{hexid(4, seed, 'sp2', i)}-"
            f"{hexid(4, seed, 'sp3', i)}-{hexid(4, seed, 'sp4', i)}-"
            f"{hexid(12, seed, 'sp5', i)}"
        )
    # One decision per resource id: a bucket's storage and request rows are tagged alike.
    uids = sorted({x.uid for x in payer.resources})
    pos = {u: i for i, u in enumerate(uids)}
    expected = np.zeros(len(uids))
    eligible = np.ones(len(uids), dtype=bool)
    for x, cost in zip(payer.resources, expected_list_cost, strict=True):
        expected[pos[x.uid]] += cost
        eligible[pos[x.uid]] &= not x.marketplace and x.team != "platform"
    untagged = pick_untagged(expected, eligible, stable_int(seed, payer.key, "untag"))
    for x in payer.resources:
        x.tagged = not untagged[pos[x.uid]]
        x.tags = make_tags(AWS_TAGS, seed, x.uid, x.team, x.env, x.tagged)
        if x.uid.startswith("i-0"):
            x.tags["aws:createdBy"] = (
                f"AssumedRole:AROA{hexid(12, seed, x.account).upper()}:terraform"
            )
