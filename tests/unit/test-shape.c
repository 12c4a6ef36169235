/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-shape.c: the shape bridge (aws/shape.c over the tables of
 * aws/shapes.c) and the typed Auto Scaling and EC2 calls built on it.
 * XML answers of every operation lc-migrate reads become exactly what
 * botocore's parser makes of the same bytes; JSON requests become exactly
 * the parameter lists botocore's serializers send; hostile and mistyped
 * input is kept as text or refused with the parameter's path.
 *
 * The expected JSON and parameter lists are facts, computed once with
 * botocore 1.43.11 from the same XML and JSON: botocore.parsers (timestamp
 * and blob parsers replaced by the identity, ResponseMetadata cut to its
 * RequestId) and botocore.serialize.create_serializer("ec2" / "query").
 */
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/shape.h"
#include "tests/unit/check.h"

/* ---- answers: the XML as AWS sends it, the JSON botocore makes of it ---- */

/* lcs */
static const char xml_lcs[] =
	"<DescribeLaunchConfigurationsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n"
	"  <DescribeLaunchConfigurationsResult>\n"
	"    <LaunchConfigurations>\n"
	"      <member>\n"
	"        <LaunchConfigurationName>web-v1</LaunchConfigurationName>\n"
	"        <LaunchConfigurationARN>arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:0b5a6c4e-1f2d-4c3b-9a8e-7d6c5b4a3f21:launchConfigurationName/web-v1</LaunchConfigurationARN>\n"
	"        <ImageId>ami-0abcdef1234567890</ImageId>\n"
	"        <KeyName>ops-key</KeyName>\n"
	"        <SecurityGroups>\n"
	"          <member>sg-0123456789abcdef0</member>\n"
	"          <member>sg-0fedcba9876543210</member>\n"
	"        </SecurityGroups>\n"
	"        <ClassicLinkVPCSecurityGroups/>\n"
	"        <UserData>IyEvYmluL2Jhc2gKZWNobyAnaGkgJmFtcDsgYnllJwo=</UserData>\n"
	"        <InstanceType>t3.micro</InstanceType>\n"
	"        <KernelId/>\n"
	"        <RamdiskId></RamdiskId>\n"
	"        <BlockDeviceMappings>\n"
	"          <member>\n"
	"            <DeviceName>/dev/xvda</DeviceName>\n"
	"            <Ebs>\n"
	"              <SnapshotId>snap-0123456789abcdef0</SnapshotId>\n"
	"              <VolumeSize>20</VolumeSize>\n"
	"              <VolumeType>gp3</VolumeType>\n"
	"              <DeleteOnTermination>true</DeleteOnTermination>\n"
	"              <Iops>3000</Iops>\n"
	"              <Encrypted>false</Encrypted>\n"
	"              <Throughput>125</Throughput>\n"
	"            </Ebs>\n"
	"          </member>\n"
	"          <member>\n"
	"            <DeviceName>/dev/sdb</DeviceName>\n"
	"            <VirtualName>ephemeral0</VirtualName>\n"
	"          </member>\n"
	"          <member>\n"
	"            <DeviceName>/dev/sdc</DeviceName>\n"
	"            <NoDevice>true</NoDevice>\n"
	"          </member>\n"
	"        </BlockDeviceMappings>\n"
	"        <InstanceMonitoring>\n"
	"          <Enabled>false</Enabled>\n"
	"        </InstanceMonitoring>\n"
	"        <SpotPrice>0.05</SpotPrice>\n"
	"        <IamInstanceProfile>arn:aws:iam::123456789012:instance-profile/web</IamInstanceProfile>\n"
	"        <CreatedTime>2019-03-14T15:09:26.535Z</CreatedTime>\n"
	"        <EbsOptimized>false</EbsOptimized>\n"
	"        <AssociatePublicIpAddress>false</AssociatePublicIpAddress>\n"
	"        <PlacementTenancy>dedicated</PlacementTenancy>\n"
	"        <MetadataOptions>\n"
	"          <HttpTokens>required</HttpTokens>\n"
	"          <HttpPutResponseHopLimit>2</HttpPutResponseHopLimit>\n"
	"          <HttpEndpoint>enabled</HttpEndpoint>\n"
	"        </MetadataOptions>\n"
	"        <CapacityHint>\n"
	"          <Weight>3</Weight>\n"
	"          <Zone>a</Zone>\n"
	"          <Zone>b</Zone>\n"
	"        </CapacityHint>\n"
	"        <FutureFlag>on</FutureFlag>\n"
	"      </member>\n"
	"      <member>\n"
	"        <LaunchConfigurationName>app v2 &amp; co</LaunchConfigurationName>\n"
	"        <LaunchConfigurationARN>arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:5e4d3c2b-0a9f-4e8d-b7c6-a5b4c3d2e1f0:launchConfigurationName/app v2 &amp; co</LaunchConfigurationARN>\n"
	"        <ImageId>ami-0123456789abcdef0</ImageId>\n"
	"        <SecurityGroups/>\n"
	"        <InstanceType>m5.large</InstanceType>\n"
	"        <BlockDeviceMappings/>\n"
	"        <InstanceMonitoring>\n"
	"          <Enabled>true</Enabled>\n"
	"        </InstanceMonitoring>\n"
	"        <CreatedTime>2021-07-01T08:00:00Z</CreatedTime>\n"
	"        <EbsOptimized>true</EbsOptimized>\n"
	"        <AssociatePublicIpAddress>true</AssociatePublicIpAddress>\n"
	"      </member>\n"
	"    </LaunchConfigurations>\n"
	"    <NextToken>eyJsYXN0IjoiYXBwIHYyIn0=</NextToken>\n"
	"  </DescribeLaunchConfigurationsResult>\n"
	"  <ResponseMetadata>\n"
	"    <RequestId>8d6f1f3c-2b8e-4c1a-9f0e-3a7b6c5d4e3f</RequestId>\n"
	"  </ResponseMetadata>\n"
	"</DescribeLaunchConfigurationsResponse>\n";

static const char json_lcs[] =
	"{\"LaunchConfigurations\":[{\"LaunchConfigurationName\":\"web-v1\",\"Laun"
	"chConfigurationARN\":\"arn:aws:autoscaling:us-east-1:123456789012:la"
	"unchConfiguration:0b5a6c4e-1f2d-4c3b-9a8e-7d6c5b4a3f21:launchConfi"
	"gurationName/web-v1\",\"ImageId\":\"ami-0abcdef1234567890\",\"KeyName\":\""
	"ops-key\",\"SecurityGroups\":[\"sg-0123456789abcdef0\",\"sg-0fedcba98765"
	"43210\"],\"ClassicLinkVPCSecurityGroups\":[],\"UserData\":\"IyEvYmluL2Jh"
	"c2gKZWNobyAnaGkgJmFtcDsgYnllJwo=\",\"InstanceType\":\"t3.micro\",\"Kerne"
	"lId\":\"\",\"RamdiskId\":\"\",\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/"
	"xvda\",\"Ebs\":{\"SnapshotId\":\"snap-0123456789abcdef0\",\"VolumeSize\":20"
	",\"VolumeType\":\"gp3\",\"DeleteOnTermination\":true,\"Iops\":3000,\"Encryp"
	"ted\":false,\"Throughput\":125}},{\"VirtualName\":\"ephemeral0\",\"DeviceN"
	"ame\":\"/dev/sdb\"},{\"DeviceName\":\"/dev/sdc\",\"NoDevice\":true}],\"Insta"
	"nceMonitoring\":{\"Enabled\":false},\"SpotPrice\":\"0.05\",\"IamInstancePr"
	"ofile\":\"arn:aws:iam::123456789012:instance-profile/web\",\"CreatedTi"
	"me\":\"2019-03-14T15:09:26.535Z\",\"EbsOptimized\":false,\"AssociatePubl"
	"icIpAddress\":false,\"PlacementTenancy\":\"dedicated\",\"MetadataOptions"
	"\":{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":2,\"HttpEndpoi"
	"nt\":\"enabled\"}},{\"LaunchConfigurationName\":\"app v2 & co\",\"LaunchCo"
	"nfigurationARN\":\"arn:aws:autoscaling:us-east-1:123456789012:launch"
	"Configuration:5e4d3c2b-0a9f-4e8d-b7c6-a5b4c3d2e1f0:launchConfigura"
	"tionName/app v2 & co\",\"ImageId\":\"ami-0123456789abcdef0\",\"SecurityG"
	"roups\":[],\"InstanceType\":\"m5.large\",\"BlockDeviceMappings\":[],\"Inst"
	"anceMonitoring\":{\"Enabled\":true},\"CreatedTime\":\"2021-07-01T08:00:0"
	"0Z\",\"EbsOptimized\":true,\"AssociatePublicIpAddress\":true}],\"NextTok"
	"en\":\"eyJsYXN0IjoiYXBwIHYyIn0=\",\"ResponseMetadata\":{\"RequestId\":\"8d"
	"6f1f3c-2b8e-4c1a-9f0e-3a7b6c5d4e3f\"}}";

/* asgs */
static const char xml_asgs[] =
	"<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n"
	"  <DescribeAutoScalingGroupsResult>\n"
	"    <AutoScalingGroups>\n"
	"      <member>\n"
	"        <AutoScalingGroupName>web-asg</AutoScalingGroupName>\n"
	"        <AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:f48a56e2-89a7-4efd-a225-26226a1c7752:autoScalingGroupName/web-asg</AutoScalingGroupARN>\n"
	"        <LaunchConfigurationName>web-v1</LaunchConfigurationName>\n"
	"        <MinSize>1</MinSize>\n"
	"        <MaxSize>4</MaxSize>\n"
	"        <DesiredCapacity>2</DesiredCapacity>\n"
	"        <DefaultCooldown>300</DefaultCooldown>\n"
	"        <AvailabilityZones>\n"
	"          <member>us-east-1a</member>\n"
	"          <member>us-east-1b</member>\n"
	"        </AvailabilityZones>\n"
	"        <LoadBalancerNames/>\n"
	"        <TargetGroupARNs>\n"
	"          <member>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09</member>\n"
	"        </TargetGroupARNs>\n"
	"        <HealthCheckType>ELB</HealthCheckType>\n"
	"        <HealthCheckGracePeriod>300</HealthCheckGracePeriod>\n"
	"        <Instances>\n"
	"          <member>\n"
	"            <InstanceId>i-0598c7d356eba48d7</InstanceId>\n"
	"            <InstanceType>t3.micro</InstanceType>\n"
	"            <AvailabilityZone>us-east-1a</AvailabilityZone>\n"
	"            <LifecycleState>InService</LifecycleState>\n"
	"            <HealthStatus>Healthy</HealthStatus>\n"
	"            <LaunchConfigurationName>web-v1</LaunchConfigurationName>\n"
	"            <ProtectedFromScaleIn>false</ProtectedFromScaleIn>\n"
	"          </member>\n"
	"        </Instances>\n"
	"        <CreatedTime>2019-03-14T15:12:00.123Z</CreatedTime>\n"
	"        <SuspendedProcesses/>\n"
	"        <VPCZoneIdentifier>subnet-0a1b2c3d,subnet-4e5f6a7b</VPCZoneIdentifier>\n"
	"        <EnabledMetrics/>\n"
	"        <Tags>\n"
	"          <member>\n"
	"            <ResourceId>web-asg</ResourceId>\n"
	"            <ResourceType>auto-scaling-group</ResourceType>\n"
	"            <Key>team</Key>\n"
	"            <Value>web</Value>\n"
	"            <PropagateAtLaunch>true</PropagateAtLaunch>\n"
	"          </member>\n"
	"        </Tags>\n"
	"        <TerminationPolicies>\n"
	"          <member>Default</member>\n"
	"        </TerminationPolicies>\n"
	"        <NewInstancesProtectedFromScaleIn>false</NewInstancesProtectedFromScaleIn>\n"
	"        <ServiceLinkedRoleARN>arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling</ServiceLinkedRoleARN>\n"
	"        <CapacityRebalance>false</CapacityRebalance>\n"
	"        <TrafficSources>\n"
	"          <member>\n"
	"            <Identifier>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09</Identifier>\n"
	"            <Type>elbv2</Type>\n"
	"          </member>\n"
	"        </TrafficSources>\n"
	"      </member>\n"
	"      <member>\n"
	"        <AutoScalingGroupName>batch</AutoScalingGroupName>\n"
	"        <AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0c6e4f8a-1b2c-4d3e-8f9a-0b1c2d3e4f5a:autoScalingGroupName/batch</AutoScalingGroupARN>\n"
	"        <MixedInstancesPolicy>\n"
	"          <LaunchTemplate>\n"
	"            <LaunchTemplateSpecification>\n"
	"              <LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>\n"
	"              <LaunchTemplateName>batch</LaunchTemplateName>\n"
	"              <Version>$Latest</Version>\n"
	"            </LaunchTemplateSpecification>\n"
	"            <Overrides>\n"
	"              <member><InstanceType>c5.large</InstanceType><WeightedCapacity>2</WeightedCapacity></member>\n"
	"              <member><InstanceType>c5a.large</InstanceType></member>\n"
	"            </Overrides>\n"
	"          </LaunchTemplate>\n"
	"          <InstancesDistribution>\n"
	"            <OnDemandAllocationStrategy>prioritized</OnDemandAllocationStrategy>\n"
	"            <OnDemandBaseCapacity>0</OnDemandBaseCapacity>\n"
	"            <OnDemandPercentageAboveBaseCapacity>0</OnDemandPercentageAboveBaseCapacity>\n"
	"            <SpotAllocationStrategy>price-capacity-optimized</SpotAllocationStrategy>\n"
	"          </InstancesDistribution>\n"
	"        </MixedInstancesPolicy>\n"
	"        <MinSize>0</MinSize>\n"
	"        <MaxSize>10</MaxSize>\n"
	"        <DesiredCapacity>0</DesiredCapacity>\n"
	"        <DefaultCooldown>300</DefaultCooldown>\n"
	"        <AvailabilityZones><member>us-east-1c</member></AvailabilityZones>\n"
	"        <LoadBalancerNames/>\n"
	"        <TargetGroupARNs/>\n"
	"        <HealthCheckType>EC2</HealthCheckType>\n"
	"        <HealthCheckGracePeriod>0</HealthCheckGracePeriod>\n"
	"        <Instances/>\n"
	"        <CreatedTime>2022-01-05T10:20:30Z</CreatedTime>\n"
	"        <SuspendedProcesses>\n"
	"          <member>\n"
	"            <ProcessName>AZRebalance</ProcessName>\n"
	"            <SuspensionReason>User suspended at 2022-01-05T10:21:00Z</SuspensionReason>\n"
	"          </member>\n"
	"        </SuspendedProcesses>\n"
	"        <EnabledMetrics/>\n"
	"        <Tags/>\n"
	"        <TerminationPolicies><member>OldestInstance</member><member>Default</member></TerminationPolicies>\n"
	"        <NewInstancesProtectedFromScaleIn>true</NewInstancesProtectedFromScaleIn>\n"
	"        <CapacityRebalance>true</CapacityRebalance>\n"
	"        <DefaultInstanceWarmup>120</DefaultInstanceWarmup>\n"
	"      </member>\n"
	"    </AutoScalingGroups>\n"
	"  </DescribeAutoScalingGroupsResult>\n"
	"  <ResponseMetadata>\n"
	"    <RequestId>0f6d2c1e-9a8b-4c7d-8e6f-5a4b3c2d1e0f</RequestId>\n"
	"  </ResponseMetadata>\n"
	"</DescribeAutoScalingGroupsResponse>\n";

static const char json_asgs[] =
	"{\"AutoScalingGroups\":[{\"AutoScalingGroupName\":\"web-asg\",\"AutoScali"
	"ngGroupARN\":\"arn:aws:autoscaling:us-east-1:123456789012:autoScalin"
	"gGroup:f48a56e2-89a7-4efd-a225-26226a1c7752:autoScalingGroupName/w"
	"eb-asg\",\"LaunchConfigurationName\":\"web-v1\",\"MinSize\":1,\"MaxSize\":4"
	",\"DesiredCapacity\":2,\"DefaultCooldown\":300,\"AvailabilityZones\":[\"u"
	"s-east-1a\",\"us-east-1b\"],\"LoadBalancerNames\":[],\"TargetGroupARNs\":"
	"[\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
	"web/6d0ecf831eec9f09\"],\"HealthCheckType\":\"ELB\",\"HealthCheckGracePe"
	"riod\":300,\"Instances\":[{\"InstanceId\":\"i-0598c7d356eba48d7\",\"Instan"
	"ceType\":\"t3.micro\",\"AvailabilityZone\":\"us-east-1a\",\"LifecycleState"
	"\":\"InService\",\"HealthStatus\":\"Healthy\",\"LaunchConfigurationName\":\""
	"web-v1\",\"ProtectedFromScaleIn\":false}],\"CreatedTime\":\"2019-03-14T1"
	"5:12:00.123Z\",\"SuspendedProcesses\":[],\"VPCZoneIdentifier\":\"subnet-"
	"0a1b2c3d,subnet-4e5f6a7b\",\"EnabledMetrics\":[],\"Tags\":[{\"ResourceId"
	"\":\"web-asg\",\"ResourceType\":\"auto-scaling-group\",\"Key\":\"team\",\"Valu"
	"e\":\"web\",\"PropagateAtLaunch\":true}],\"TerminationPolicies\":[\"Defaul"
	"t\"],\"NewInstancesProtectedFromScaleIn\":false,\"ServiceLinkedRoleARN"
	"\":\"arn:aws:iam::123456789012:role/aws-service-role/autoscaling.ama"
	"zonaws.com/AWSServiceRoleForAutoScaling\",\"CapacityRebalance\":false"
	",\"TrafficSources\":[{\"Identifier\":\"arn:aws:elasticloadbalancing:us-"
	"east-1:123456789012:targetgroup/web/6d0ecf831eec9f09\",\"Type\":\"elbv"
	"2\"}]},{\"AutoScalingGroupName\":\"batch\",\"AutoScalingGroupARN\":\"arn:a"
	"ws:autoscaling:us-east-1:123456789012:autoScalingGroup:0c6e4f8a-1b"
	"2c-4d3e-8f9a-0b1c2d3e4f5a:autoScalingGroupName/batch\",\"MixedInstan"
	"cesPolicy\":{\"LaunchTemplate\":{\"LaunchTemplateSpecification\":{\"Laun"
	"chTemplateId\":\"lt-0123456789abcdef0\",\"LaunchTemplateName\":\"batch\","
	"\"Version\":\"$Latest\"},\"Overrides\":[{\"InstanceType\":\"c5.large\",\"Weig"
	"htedCapacity\":\"2\"},{\"InstanceType\":\"c5a.large\"}]},\"InstancesDistri"
	"bution\":{\"OnDemandAllocationStrategy\":\"prioritized\",\"OnDemandBaseC"
	"apacity\":0,\"OnDemandPercentageAboveBaseCapacity\":0,\"SpotAllocation"
	"Strategy\":\"price-capacity-optimized\"}},\"MinSize\":0,\"MaxSize\":10,\"D"
	"esiredCapacity\":0,\"DefaultCooldown\":300,\"AvailabilityZones\":[\"us-e"
	"ast-1c\"],\"LoadBalancerNames\":[],\"TargetGroupARNs\":[],\"HealthCheckT"
	"ype\":\"EC2\",\"HealthCheckGracePeriod\":0,\"Instances\":[],\"CreatedTime\""
	":\"2022-01-05T10:20:30Z\",\"SuspendedProcesses\":[{\"ProcessName\":\"AZRe"
	"balance\",\"SuspensionReason\":\"User suspended at 2022-01-05T10:21:00"
	"Z\"}],\"EnabledMetrics\":[],\"Tags\":[],\"TerminationPolicies\":[\"OldestI"
	"nstance\",\"Default\"],\"NewInstancesProtectedFromScaleIn\":true,\"Capac"
	"ityRebalance\":true,\"DefaultInstanceWarmup\":120}],\"ResponseMetadata"
	"\":{\"RequestId\":\"0f6d2c1e-9a8b-4c7d-8e6f-5a4b3c2d1e0f\"}}";

/* refreshes */
static const char xml_refreshes[] =
	"<DescribeInstanceRefreshesResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n"
	"  <DescribeInstanceRefreshesResult>\n"
	"    <InstanceRefreshes>\n"
	"      <member>\n"
	"        <InstanceRefreshId>08b91cf7-8fa6-48af-b6a6-d227f40f1b9b</InstanceRefreshId>\n"
	"        <AutoScalingGroupName>web-asg</AutoScalingGroupName>\n"
	"        <Status>InProgress</Status>\n"
	"        <StatusReason>Waiting for instances to warm up before continuing.</StatusReason>\n"
	"        <StartTime>2024-05-02T09:10:11Z</StartTime>\n"
	"        <PercentageComplete>50</PercentageComplete>\n"
	"        <InstancesToUpdate>1</InstancesToUpdate>\n"
	"        <Preferences>\n"
	"          <MinHealthyPercentage>90</MinHealthyPercentage>\n"
	"          <InstanceWarmup>60</InstanceWarmup>\n"
	"          <CheckpointPercentages><member>50</member><member>100</member></CheckpointPercentages>\n"
	"          <CheckpointDelay>3600</CheckpointDelay>\n"
	"          <SkipMatching>true</SkipMatching>\n"
	"          <AutoRollback>false</AutoRollback>\n"
	"          <ScaleInProtectedInstances>Ignore</ScaleInProtectedInstances>\n"
	"          <StandbyInstances>Ignore</StandbyInstances>\n"
	"        </Preferences>\n"
	"        <DesiredConfiguration>\n"
	"          <LaunchTemplate>\n"
	"            <LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>\n"
	"            <LaunchTemplateName>web</LaunchTemplateName>\n"
	"            <Version>$Latest</Version>\n"
	"          </LaunchTemplate>\n"
	"        </DesiredConfiguration>\n"
	"      </member>\n"
	"    </InstanceRefreshes>\n"
	"  </DescribeInstanceRefreshesResult>\n"
	"  <ResponseMetadata><RequestId>1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d</RequestId></ResponseMetadata>\n"
	"</DescribeInstanceRefreshesResponse>\n";

static const char json_refreshes[] =
	"{\"InstanceRefreshes\":[{\"InstanceRefreshId\":\"08b91cf7-8fa6-48af-b6a"
	"6-d227f40f1b9b\",\"AutoScalingGroupName\":\"web-asg\",\"Status\":\"InProgr"
	"ess\",\"StatusReason\":\"Waiting for instances to warm up before conti"
	"nuing.\",\"StartTime\":\"2024-05-02T09:10:11Z\",\"PercentageComplete\":50"
	",\"InstancesToUpdate\":1,\"Preferences\":{\"MinHealthyPercentage\":90,\"I"
	"nstanceWarmup\":60,\"CheckpointPercentages\":[50,100],\"CheckpointDela"
	"y\":3600,\"SkipMatching\":true,\"AutoRollback\":false,\"ScaleInProtected"
	"Instances\":\"Ignore\",\"StandbyInstances\":\"Ignore\"},\"DesiredConfigura"
	"tion\":{\"LaunchTemplate\":{\"LaunchTemplateId\":\"lt-0123456789abcdef0\""
	",\"LaunchTemplateName\":\"web\",\"Version\":\"$Latest\"}}}],\"ResponseMetad"
	"ata\":{\"RequestId\":\"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"}}";

/* start-refresh */
static const char xml_start_refresh[] =
	"<StartInstanceRefreshResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n"
	"  <StartInstanceRefreshResult>\n"
	"    <InstanceRefreshId>08b91cf7-8fa6-48af-b6a6-d227f40f1b9b</InstanceRefreshId>\n"
	"  </StartInstanceRefreshResult>\n"
	"  <ResponseMetadata><RequestId>2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e</RequestId></ResponseMetadata>\n"
	"</StartInstanceRefreshResponse>\n";

static const char json_start_refresh[] =
	"{\"InstanceRefreshId\":\"08b91cf7-8fa6-48af-b6a6-d227f40f1b9b\",\"Respo"
	"nseMetadata\":{\"RequestId\":\"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e\"}}";

/* regions */
static const char xml_regions[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"    <regionInfo>\n"
	"        <item>\n"
	"            <regionName>us-east-1</regionName>\n"
	"            <regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>opt-in-not-required</optInStatus>\n"
	"        </item>\n"
	"        <item>\n"
	"            <regionName>eu-west-1</regionName>\n"
	"            <regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>opt-in-not-required</optInStatus>\n"
	"        </item>\n"
	"        <item>\n"
	"            <regionName>ap-east-1</regionName>\n"
	"            <regionEndpoint>ec2.ap-east-1.amazonaws.com</regionEndpoint>\n"
	"            <optInStatus>opted-in</optInStatus>\n"
	"        </item>\n"
	"    </regionInfo>\n"
	"</DescribeRegionsResponse>\n";

static const char json_regions[] =
	"{\"Regions\":[{\"OptInStatus\":\"opt-in-not-required\",\"RegionName\":\"us-"
	"east-1\",\"Endpoint\":\"ec2.us-east-1.amazonaws.com\"},{\"OptInStatus\":\""
	"opt-in-not-required\",\"RegionName\":\"eu-west-1\",\"Endpoint\":\"ec2.eu-w"
	"est-1.amazonaws.com\"},{\"OptInStatus\":\"opted-in\",\"RegionName\":\"ap-e"
	"ast-1\",\"Endpoint\":\"ec2.ap-east-1.amazonaws.com\"}],\"ResponseMetadat"
	"a\":{\"RequestId\":\"59dbff89-35bd-4eac-99ed-be587EXAMPLE\"}}";

/* sgs */
static const char xml_sgs[] =
	"<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"   <requestId>edb7c570-be05-4192-bd1b-EXAMPLE</requestId>\n"
	"   <securityGroupInfo>\n"
	"      <item>\n"
	"         <ownerId>123456789012</ownerId>\n"
	"         <groupId>sg-0123456789abcdef0</groupId>\n"
	"         <groupName>web</groupName>\n"
	"         <groupDescription>web tier</groupDescription>\n"
	"         <vpcId>vpc-0a1b2c3d</vpcId>\n"
	"         <ipPermissions>\n"
	"            <item>\n"
	"               <ipProtocol>tcp</ipProtocol>\n"
	"               <fromPort>443</fromPort>\n"
	"               <toPort>443</toPort>\n"
	"               <groups/>\n"
	"               <ipRanges>\n"
	"                  <item>\n"
	"                     <cidrIp>0.0.0.0/0</cidrIp>\n"
	"                     <description>https from anywhere</description>\n"
	"                  </item>\n"
	"               </ipRanges>\n"
	"               <ipv6Ranges/>\n"
	"               <prefixListIds/>\n"
	"            </item>\n"
	"            <item>\n"
	"               <ipProtocol>tcp</ipProtocol>\n"
	"               <fromPort>22</fromPort>\n"
	"               <toPort>22</toPort>\n"
	"               <groups>\n"
	"                  <item>\n"
	"                     <userId>123456789012</userId>\n"
	"                     <groupId>sg-0fedcba9876543210</groupId>\n"
	"                  </item>\n"
	"               </groups>\n"
	"               <ipRanges/>\n"
	"               <ipv6Ranges/>\n"
	"               <prefixListIds/>\n"
	"            </item>\n"
	"         </ipPermissions>\n"
	"         <ipPermissionsEgress>\n"
	"            <item>\n"
	"               <ipProtocol>-1</ipProtocol>\n"
	"               <groups/>\n"
	"               <ipRanges>\n"
	"                  <item><cidrIp>0.0.0.0/0</cidrIp></item>\n"
	"               </ipRanges>\n"
	"               <ipv6Ranges/>\n"
	"               <prefixListIds/>\n"
	"            </item>\n"
	"         </ipPermissionsEgress>\n"
	"         <tagSet>\n"
	"            <item><key>Name</key><value>web</value></item>\n"
	"         </tagSet>\n"
	"         <securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0</securityGroupArn>\n"
	"      </item>\n"
	"   </securityGroupInfo>\n"
	"   <nextToken>sg-page-2</nextToken>\n"
	"</DescribeSecurityGroupsResponse>\n";

static const char json_sgs[] =
	"{\"NextToken\":\"sg-page-2\",\"SecurityGroups\":[{\"GroupId\":\"sg-01234567"
	"89abcdef0\",\"IpPermissionsEgress\":[{\"IpProtocol\":\"-1\",\"UserIdGroupP"
	"airs\":[],\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[],\"Pref"
	"ixListIds\":[]}],\"Tags\":[{\"Key\":\"Name\",\"Value\":\"web\"}],\"VpcId\":\"vpc"
	"-0a1b2c3d\",\"SecurityGroupArn\":\"arn:aws:ec2:us-east-1:123456789012:"
	"security-group/sg-0123456789abcdef0\",\"OwnerId\":\"123456789012\",\"Gro"
	"upName\":\"web\",\"Description\":\"web tier\",\"IpPermissions\":[{\"IpProtoc"
	"ol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"UserIdGroupPairs\":[],\"IpRan"
	"ges\":[{\"Description\":\"https from anywhere\",\"CidrIp\":\"0.0.0.0/0\"}],"
	"\"Ipv6Ranges\":[],\"PrefixListIds\":[]},{\"IpProtocol\":\"tcp\",\"FromPort\""
	":22,\"ToPort\":22,\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"Grou"
	"pId\":\"sg-0fedcba9876543210\"}],\"IpRanges\":[],\"Ipv6Ranges\":[],\"Prefi"
	"xListIds\":[]}]}],\"ResponseMetadata\":{\"RequestId\":\"edb7c570-be05-41"
	"92-bd1b-EXAMPLE\"}}";

/* subnets */
static const char xml_subnets[] =
	"<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>\n"
	"    <subnetSet>\n"
	"        <item>\n"
	"            <subnetId>subnet-0a1b2c3d</subnetId>\n"
	"            <subnetArn>arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d</subnetArn>\n"
	"            <state>available</state>\n"
	"            <ownerId>123456789012</ownerId>\n"
	"            <vpcId>vpc-0a1b2c3d</vpcId>\n"
	"            <cidrBlock>10.0.1.0/24</cidrBlock>\n"
	"            <ipv6CidrBlockAssociationSet/>\n"
	"            <availableIpAddressCount>251</availableIpAddressCount>\n"
	"            <availabilityZone>us-east-1a</availabilityZone>\n"
	"            <availabilityZoneId>use1-az6</availabilityZoneId>\n"
	"            <defaultForAz>false</defaultForAz>\n"
	"            <mapPublicIpOnLaunch>true</mapPublicIpOnLaunch>\n"
	"            <assignIpv6AddressOnCreation>false</assignIpv6AddressOnCreation>\n"
	"            <mapCustomerOwnedIpOnLaunch>false</mapCustomerOwnedIpOnLaunch>\n"
	"            <enableDns64>false</enableDns64>\n"
	"            <ipv6Native>false</ipv6Native>\n"
	"            <privateDnsNameOptionsOnLaunch>\n"
	"                <hostnameType>ip-name</hostnameType>\n"
	"                <enableResourceNameDnsARecord>false</enableResourceNameDnsARecord>\n"
	"                <enableResourceNameDnsAAAARecord>false</enableResourceNameDnsAAAARecord>\n"
	"            </privateDnsNameOptionsOnLaunch>\n"
	"            <tagSet>\n"
	"                <item><key>Name</key><value>public-a</value></item>\n"
	"            </tagSet>\n"
	"        </item>\n"
	"        <item>\n"
	"            <subnetId>subnet-4e5f6a7b</subnetId>\n"
	"            <state>available</state>\n"
	"            <vpcId>vpc-0a1b2c3d</vpcId>\n"
	"            <cidrBlock>10.0.2.0/24</cidrBlock>\n"
	"            <availableIpAddressCount>4091</availableIpAddressCount>\n"
	"            <availabilityZone>us-east-1b</availabilityZone>\n"
	"            <defaultForAz>true</defaultForAz>\n"
	"            <mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>\n"
	"        </item>\n"
	"    </subnetSet>\n"
	"</DescribeSubnetsResponse>\n";

static const char json_subnets[] =
	"{\"Subnets\":[{\"AvailabilityZoneId\":\"use1-az6\",\"MapCustomerOwnedIpOn"
	"Launch\":false,\"OwnerId\":\"123456789012\",\"AssignIpv6AddressOnCreatio"
	"n\":false,\"Ipv6CidrBlockAssociationSet\":[],\"Tags\":[{\"Key\":\"Name\",\"V"
	"alue\":\"public-a\"}],\"SubnetArn\":\"arn:aws:ec2:us-east-1:123456789012"
	":subnet/subnet-0a1b2c3d\",\"EnableDns64\":false,\"Ipv6Native\":false,\"P"
	"rivateDnsNameOptionsOnLaunch\":{\"HostnameType\":\"ip-name\",\"EnableRes"
	"ourceNameDnsARecord\":false,\"EnableResourceNameDnsAAAARecord\":false"
	"},\"SubnetId\":\"subnet-0a1b2c3d\",\"State\":\"available\",\"VpcId\":\"vpc-0a"
	"1b2c3d\",\"CidrBlock\":\"10.0.1.0/24\",\"AvailableIpAddressCount\":251,\"A"
	"vailabilityZone\":\"us-east-1a\",\"DefaultForAz\":false,\"MapPublicIpOnL"
	"aunch\":true},{\"SubnetId\":\"subnet-4e5f6a7b\",\"State\":\"available\",\"Vp"
	"cId\":\"vpc-0a1b2c3d\",\"CidrBlock\":\"10.0.2.0/24\",\"AvailableIpAddressC"
	"ount\":4091,\"AvailabilityZone\":\"us-east-1b\",\"DefaultForAz\":true,\"Ma"
	"pPublicIpOnLaunch\":false}],\"ResponseMetadata\":{\"RequestId\":\"7a62c4"
	"9f-347e-4fc4-9331-6e8eEXAMPLE\"}}";

/* lts */
static const char xml_lts[] =
	"<DescribeLaunchTemplatesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>1afa6e44-eb38-4229-8db6-d5eaexample</requestId>\n"
	"    <launchTemplates>\n"
	"        <item>\n"
	"            <createTime>2017-10-31T11:38:52.000Z</createTime>\n"
	"            <createdBy>arn:aws:iam::123456789012:root</createdBy>\n"
	"            <defaultVersionNumber>1</defaultVersionNumber>\n"
	"            <latestVersionNumber>3</latestVersionNumber>\n"
	"            <launchTemplateId>lt-0a20c965061f64abc</launchTemplateId>\n"
	"            <launchTemplateName>lc-migrate-web-v1</launchTemplateName>\n"
	"            <tagSet>\n"
	"                <item><key>awsx:lc-migrate</key><value>web-v1</value></item>\n"
	"            </tagSet>\n"
	"        </item>\n"
	"    </launchTemplates>\n"
	"    <nextToken>lt-page-2</nextToken>\n"
	"</DescribeLaunchTemplatesResponse>\n";

static const char json_lts[] =
	"{\"LaunchTemplates\":[{\"LaunchTemplateId\":\"lt-0a20c965061f64abc\",\"La"
	"unchTemplateName\":\"lc-migrate-web-v1\",\"CreateTime\":\"2017-10-31T11:"
	"38:52.000Z\",\"CreatedBy\":\"arn:aws:iam::123456789012:root\",\"DefaultV"
	"ersionNumber\":1,\"LatestVersionNumber\":3,\"Tags\":[{\"Key\":\"awsx:lc-mi"
	"grate\",\"Value\":\"web-v1\"}]}],\"NextToken\":\"lt-page-2\",\"ResponseMetad"
	"ata\":{\"RequestId\":\"1afa6e44-eb38-4229-8db6-d5eaexample\"}}";

/* ltvs */
static const char xml_ltvs[] =
	"<DescribeLaunchTemplateVersionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>65cadec1-b364-4354-8ca8-4176dexample</requestId>\n"
	"    <launchTemplateVersionSet>\n"
	"        <item>\n"
	"            <createTime>2017-10-31T11:38:52.000Z</createTime>\n"
	"            <createdBy>arn:aws:iam::123456789012:root</createdBy>\n"
	"            <defaultVersion>true</defaultVersion>\n"
	"            <launchTemplateData>\n"
	"                <kernelId>aki-12345678</kernelId>\n"
	"                <ebsOptimized>false</ebsOptimized>\n"
	"                <iamInstanceProfile>\n"
	"                    <arn>arn:aws:iam::123456789012:instance-profile/web</arn>\n"
	"                </iamInstanceProfile>\n"
	"                <blockDeviceMappingSet>\n"
	"                    <item>\n"
	"                        <deviceName>/dev/xvda</deviceName>\n"
	"                        <ebs>\n"
	"                            <encrypted>false</encrypted>\n"
	"                            <deleteOnTermination>true</deleteOnTermination>\n"
	"                            <iops>3000</iops>\n"
	"                            <snapshotId>snap-0123456789abcdef0</snapshotId>\n"
	"                            <volumeSize>20</volumeSize>\n"
	"                            <volumeType>gp3</volumeType>\n"
	"                            <throughput>125</throughput>\n"
	"                        </ebs>\n"
	"                    </item>\n"
	"                    <item>\n"
	"                        <deviceName>/dev/sdb</deviceName>\n"
	"                        <virtualName>ephemeral0</virtualName>\n"
	"                    </item>\n"
	"                    <item>\n"
	"                        <deviceName>/dev/sdc</deviceName>\n"
	"                        <noDevice/>\n"
	"                    </item>\n"
	"                </blockDeviceMappingSet>\n"
	"                <networkInterfaceSet>\n"
	"                    <item>\n"
	"                        <associatePublicIpAddress>false</associatePublicIpAddress>\n"
	"                        <deleteOnTermination>true</deleteOnTermination>\n"
	"                        <deviceIndex>0</deviceIndex>\n"
	"                        <groupSet>\n"
	"                            <groupId>sg-0123456789abcdef0</groupId>\n"
	"                            <groupId>sg-0fedcba9876543210</groupId>\n"
	"                        </groupSet>\n"
	"                        <ipv6AddressesSet/>\n"
	"                    </item>\n"
	"                </networkInterfaceSet>\n"
	"                <imageId>ami-0abcdef1234567890</imageId>\n"
	"                <instanceType>t3.micro</instanceType>\n"
	"                <keyName>ops-key</keyName>\n"
	"                <monitoring>\n"
	"                    <enabled>false</enabled>\n"
	"                </monitoring>\n"
	"                <placement>\n"
	"                    <tenancy>dedicated</tenancy>\n"
	"                </placement>\n"
	"                <ramDiskId>ari-12345678</ramDiskId>\n"
	"                <userData>IyEvYmluL2Jhc2gKZWNobyBoaQo=</userData>\n"
	"                <instanceMarketOptions>\n"
	"                    <marketType>spot</marketType>\n"
	"                    <spotOptions>\n"
	"                        <maxPrice>0.05</maxPrice>\n"
	"                    </spotOptions>\n"
	"                </instanceMarketOptions>\n"
	"                <metadataOptions>\n"
	"                    <httpTokens>required</httpTokens>\n"
	"                    <httpPutResponseHopLimit>2</httpPutResponseHopLimit>\n"
	"                    <httpEndpoint>enabled</httpEndpoint>\n"
	"                </metadataOptions>\n"
	"                <quantumOptions><qubits>7</qubits></quantumOptions>\n"
	"            </launchTemplateData>\n"
	"            <launchTemplateId>lt-0a20c965061f64abc</launchTemplateId>\n"
	"            <launchTemplateName>lc-migrate-web-v1</launchTemplateName>\n"
	"            <versionDescription>migrated from web-v1</versionDescription>\n"
	"            <versionNumber>1</versionNumber>\n"
	"        </item>\n"
	"        <item>\n"
	"            <createTime>2017-11-20T13:12:32.000Z</createTime>\n"
	"            <createdBy>arn:aws:iam::123456789012:root</createdBy>\n"
	"            <defaultVersion>false</defaultVersion>\n"
	"            <launchTemplateData>\n"
	"                <imageId>ami-0abcdef1234567890</imageId>\n"
	"                <instanceType>t3.small</instanceType>\n"
	"                <securityGroupIdSet>\n"
	"                    <item>sg-0123456789abcdef0</item>\n"
	"                </securityGroupIdSet>\n"
	"                <monitoring>\n"
	"                    <enabled>true</enabled>\n"
	"                </monitoring>\n"
	"                <iamInstanceProfile>\n"
	"                    <name>web-profile</name>\n"
	"                </iamInstanceProfile>\n"
	"            </launchTemplateData>\n"
	"            <launchTemplateId>lt-0a20c965061f64abc</launchTemplateId>\n"
	"            <launchTemplateName>lc-migrate-web-v1</launchTemplateName>\n"
	"            <versionNumber>2</versionNumber>\n"
	"        </item>\n"
	"    </launchTemplateVersionSet>\n"
	"</DescribeLaunchTemplateVersionsResponse>\n";

static const char json_ltvs[] =
	"{\"LaunchTemplateVersions\":[{\"LaunchTemplateId\":\"lt-0a20c965061f64a"
	"bc\",\"LaunchTemplateName\":\"lc-migrate-web-v1\",\"VersionNumber\":1,\"Ve"
	"rsionDescription\":\"migrated from web-v1\",\"CreateTime\":\"2017-10-31T"
	"11:38:52.000Z\",\"CreatedBy\":\"arn:aws:iam::123456789012:root\",\"Defau"
	"ltVersion\":true,\"LaunchTemplateData\":{\"KernelId\":\"aki-12345678\",\"E"
	"bsOptimized\":false,\"IamInstanceProfile\":{\"Arn\":\"arn:aws:iam::12345"
	"6789012:instance-profile/web\"},\"BlockDeviceMappings\":[{\"DeviceName"
	"\":\"/dev/xvda\",\"Ebs\":{\"Encrypted\":false,\"DeleteOnTermination\":true,"
	"\"Iops\":3000,\"SnapshotId\":\"snap-0123456789abcdef0\",\"VolumeSize\":20,"
	"\"VolumeType\":\"gp3\",\"Throughput\":125}},{\"DeviceName\":\"/dev/sdb\",\"Vi"
	"rtualName\":\"ephemeral0\"},{\"DeviceName\":\"/dev/sdc\",\"NoDevice\":\"\"}],"
	"\"NetworkInterfaces\":[{\"AssociatePublicIpAddress\":false,\"DeleteOnTe"
	"rmination\":true,\"DeviceIndex\":0,\"Groups\":[\"sg-0123456789abcdef0\",\""
	"sg-0fedcba9876543210\"],\"Ipv6Addresses\":[]}],\"ImageId\":\"ami-0abcdef"
	"1234567890\",\"InstanceType\":\"t3.micro\",\"KeyName\":\"ops-key\",\"Monitor"
	"ing\":{\"Enabled\":false},\"Placement\":{\"Tenancy\":\"dedicated\"},\"RamDis"
	"kId\":\"ari-12345678\",\"UserData\":\"IyEvYmluL2Jhc2gKZWNobyBoaQo=\",\"Ins"
	"tanceMarketOptions\":{\"MarketType\":\"spot\",\"SpotOptions\":{\"MaxPrice\""
	":\"0.05\"}},\"MetadataOptions\":{\"HttpTokens\":\"required\",\"HttpPutRespo"
	"nseHopLimit\":2,\"HttpEndpoint\":\"enabled\"}}},{\"LaunchTemplateId\":\"lt"
	"-0a20c965061f64abc\",\"LaunchTemplateName\":\"lc-migrate-web-v1\",\"Vers"
	"ionNumber\":2,\"CreateTime\":\"2017-11-20T13:12:32.000Z\",\"CreatedBy\":\""
	"arn:aws:iam::123456789012:root\",\"DefaultVersion\":false,\"LaunchTemp"
	"lateData\":{\"IamInstanceProfile\":{\"Name\":\"web-profile\"},\"ImageId\":\""
	"ami-0abcdef1234567890\",\"InstanceType\":\"t3.small\",\"Monitoring\":{\"En"
	"abled\":true},\"SecurityGroupIds\":[\"sg-0123456789abcdef0\"]}}],\"Respo"
	"nseMetadata\":{\"RequestId\":\"65cadec1-b364-4354-8ca8-4176dexample\"}}";

/* create-lt */
static const char xml_create_lt[] =
	"<CreateLaunchTemplateResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>39f5c1d0-1ad0-4a8b-9e5b-7cbd3example</requestId>\n"
	"    <launchTemplate>\n"
	"        <createTime>2024-05-02T09:00:00.000Z</createTime>\n"
	"        <createdBy>arn:aws:iam::123456789012:user/ops</createdBy>\n"
	"        <defaultVersionNumber>1</defaultVersionNumber>\n"
	"        <latestVersionNumber>1</latestVersionNumber>\n"
	"        <launchTemplateId>lt-01238c059e3466abc</launchTemplateId>\n"
	"        <launchTemplateName>lc-migrate-web-v1</launchTemplateName>\n"
	"        <tagSet>\n"
	"            <item><key>awsx:lc-migrate</key><value>web-v1</value></item>\n"
	"        </tagSet>\n"
	"    </launchTemplate>\n"
	"    <warning>\n"
	"        <errorSet>\n"
	"            <item>\n"
	"                <code>InvalidKeyPair.NotFound</code>\n"
	"                <message>The key pair 'ops-key' does not exist</message>\n"
	"            </item>\n"
	"        </errorSet>\n"
	"    </warning>\n"
	"</CreateLaunchTemplateResponse>\n";

static const char json_create_lt[] =
	"{\"LaunchTemplate\":{\"LaunchTemplateId\":\"lt-01238c059e3466abc\",\"Laun"
	"chTemplateName\":\"lc-migrate-web-v1\",\"CreateTime\":\"2024-05-02T09:00"
	":00.000Z\",\"CreatedBy\":\"arn:aws:iam::123456789012:user/ops\",\"Defaul"
	"tVersionNumber\":1,\"LatestVersionNumber\":1,\"Tags\":[{\"Key\":\"awsx:lc-"
	"migrate\",\"Value\":\"web-v1\"}]},\"Warning\":{\"Errors\":[{\"Code\":\"Invalid"
	"KeyPair.NotFound\",\"Message\":\"The key pair 'ops-key' does not exist"
	"\"}]},\"ResponseMetadata\":{\"RequestId\":\"39f5c1d0-1ad0-4a8b-9e5b-7cbd"
	"3example\"}}";

/* create-ltv */
static const char xml_create_ltv[] =
	"<CreateLaunchTemplateVersionResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>6657423a-2616-461a-9ce5-3c65example</requestId>\n"
	"    <launchTemplateVersion>\n"
	"        <createTime>2024-05-02T09:05:00.000Z</createTime>\n"
	"        <createdBy>arn:aws:iam::123456789012:user/ops</createdBy>\n"
	"        <defaultVersion>false</defaultVersion>\n"
	"        <launchTemplateData>\n"
	"            <imageId>ami-0abcdef1234567890</imageId>\n"
	"            <instanceType>t3.large</instanceType>\n"
	"            <networkInterfaceSet>\n"
	"                <item>\n"
	"                    <associatePublicIpAddress>true</associatePublicIpAddress>\n"
	"                    <deviceIndex>0</deviceIndex>\n"
	"                    <groupSet/>\n"
	"                </item>\n"
	"            </networkInterfaceSet>\n"
	"        </launchTemplateData>\n"
	"        <launchTemplateId>lt-01238c059e3466abc</launchTemplateId>\n"
	"        <launchTemplateName>lc-migrate-web-v1</launchTemplateName>\n"
	"        <versionDescription>bigger</versionDescription>\n"
	"        <versionNumber>2</versionNumber>\n"
	"    </launchTemplateVersion>\n"
	"</CreateLaunchTemplateVersionResponse>\n";

static const char json_create_ltv[] =
	"{\"LaunchTemplateVersion\":{\"LaunchTemplateId\":\"lt-01238c059e3466abc"
	"\",\"LaunchTemplateName\":\"lc-migrate-web-v1\",\"VersionNumber\":2,\"Vers"
	"ionDescription\":\"bigger\",\"CreateTime\":\"2024-05-02T09:05:00.000Z\",\""
	"CreatedBy\":\"arn:aws:iam::123456789012:user/ops\",\"DefaultVersion\":f"
	"alse,\"LaunchTemplateData\":{\"NetworkInterfaces\":[{\"AssociatePublicI"
	"pAddress\":true,\"DeviceIndex\":0,\"Groups\":[]}],\"ImageId\":\"ami-0abcde"
	"f1234567890\",\"InstanceType\":\"t3.large\"}},\"ResponseMetadata\":{\"Requ"
	"estId\":\"6657423a-2616-461a-9ce5-3c65example\"}}";

/* ---- requests: the JSON lc-migrate builds, the parameters botocore sends ---- */

static const char in_clt[] =
	"{"
	"  \"ClientToken\": \"6a5d2c1e-1111-4222-8333-944445555666\","
	"  \"LaunchTemplateName\": \"lc-migrate-web\","
	"  \"VersionDescription\": \"migrated from launch configuration web-v1\","
	"  \"LaunchTemplateData\": {"
	"    \"ImageId\": \"ami-0abcdef1234567890\","
	"    \"InstanceType\": \"t3.micro\","
	"    \"KeyName\": \"ops-key\","
	"    \"UserData\": \"IyEvYmluL2Jhc2gKZWNobyBoaQo=\","
	"    \"IamInstanceProfile\": {"
	"      \"Arn\": \"arn:aws:iam::123456789012:instance-profile/web\""
	"    },"
	"    \"NetworkInterfaces\": ["
	"      {"
	"        \"AssociatePublicIpAddress\": false,"
	"        \"DeleteOnTermination\": true,"
	"        \"DeviceIndex\": 0,"
	"        \"Groups\": ["
	"          \"sg-0123456789abcdef0\","
	"          \"sg-0fedcba9876543210\""
	"        ]"
	"      }"
	"    ],"
	"    \"BlockDeviceMappings\": ["
	"      {"
	"        \"DeviceName\": \"/dev/xvda\","
	"        \"Ebs\": {"
	"          \"Encrypted\": true,"
	"          \"DeleteOnTermination\": true,"
	"          \"Iops\": 3000,"
	"          \"SnapshotId\": \"snap-0123456789abcdef0\","
	"          \"VolumeSize\": 20,"
	"          \"VolumeType\": \"gp3\","
	"          \"Throughput\": 125"
	"        }"
	"      },"
	"      {"
	"        \"DeviceName\": \"/dev/sdb\","
	"        \"VirtualName\": \"ephemeral0\""
	"      },"
	"      {"
	"        \"DeviceName\": \"/dev/sdc\","
	"        \"NoDevice\": \"\""
	"      }"
	"    ],"
	"    \"Monitoring\": {"
	"      \"Enabled\": false"
	"    },"
	"    \"InstanceMarketOptions\": {"
	"      \"MarketType\": \"spot\","
	"      \"SpotOptions\": {"
	"        \"MaxPrice\": \"0.05\""
	"      }"
	"    },"
	"    \"EbsOptimized\": false,"
	"    \"Placement\": {"
	"      \"Tenancy\": \"dedicated\""
	"    },"
	"    \"MetadataOptions\": {"
	"      \"HttpTokens\": \"required\","
	"      \"HttpPutResponseHopLimit\": 2,"
	"      \"HttpEndpoint\": \"enabled\""
	"    },"
	"    \"KernelId\": \"aki-12345678\","
	"    \"RamDiskId\": \"ari-12345678\""
	"  },"
	"  \"TagSpecifications\": ["
	"    {"
	"      \"ResourceType\": \"launch-template\","
	"      \"Tags\": ["
	"        {"
	"          \"Key\": \"awsx:lc-migrate\","
	"          \"Value\": \"web-v1\""
	"        },"
	"        {"
	"          \"Key\": \"Name\","
	"          \"Value\": \"web & co\""
	"        }"
	"      ]"
	"    }"
	"  ]"
	"}";

static const char *const params_clt[][2] = {
	{ "ClientToken", "6a5d2c1e-1111-4222-8333-944445555666" },
	{ "LaunchTemplateName", "lc-migrate-web" },
	{ "VersionDescription", "migrated from launch configuration web-v1" },
	{ "LaunchTemplateData.ImageId", "ami-0abcdef1234567890" },
	{ "LaunchTemplateData.InstanceType", "t3.micro" },
	{ "LaunchTemplateData.KeyName", "ops-key" },
	{ "LaunchTemplateData.UserData", "IyEvYmluL2Jhc2gKZWNobyBoaQo=" },
	{ "LaunchTemplateData.IamInstanceProfile.Arn", "arn:aws:iam::123456789012:instance-profile/web" },
	{ "LaunchTemplateData.NetworkInterface.1.AssociatePublicIpAddress", "false" },
	{ "LaunchTemplateData.NetworkInterface.1.DeleteOnTermination", "true" },
	{ "LaunchTemplateData.NetworkInterface.1.DeviceIndex", "0" },
	{ "LaunchTemplateData.NetworkInterface.1.SecurityGroupId.1", "sg-0123456789abcdef0" },
	{ "LaunchTemplateData.NetworkInterface.1.SecurityGroupId.2", "sg-0fedcba9876543210" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.DeviceName", "/dev/xvda" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.Encrypted", "true" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.Iops", "3000" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.SnapshotId", "snap-0123456789abcdef0" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize", "20" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeType", "gp3" },
	{ "LaunchTemplateData.BlockDeviceMapping.1.Ebs.Throughput", "125" },
	{ "LaunchTemplateData.BlockDeviceMapping.2.DeviceName", "/dev/sdb" },
	{ "LaunchTemplateData.BlockDeviceMapping.2.VirtualName", "ephemeral0" },
	{ "LaunchTemplateData.BlockDeviceMapping.3.DeviceName", "/dev/sdc" },
	{ "LaunchTemplateData.BlockDeviceMapping.3.NoDevice", "" },
	{ "LaunchTemplateData.Monitoring.Enabled", "false" },
	{ "LaunchTemplateData.InstanceMarketOptions.MarketType", "spot" },
	{ "LaunchTemplateData.InstanceMarketOptions.SpotOptions.MaxPrice", "0.05" },
	{ "LaunchTemplateData.EbsOptimized", "false" },
	{ "LaunchTemplateData.Placement.Tenancy", "dedicated" },
	{ "LaunchTemplateData.MetadataOptions.HttpTokens", "required" },
	{ "LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit", "2" },
	{ "LaunchTemplateData.MetadataOptions.HttpEndpoint", "enabled" },
	{ "LaunchTemplateData.KernelId", "aki-12345678" },
	{ "LaunchTemplateData.RamDiskId", "ari-12345678" },
	{ "TagSpecification.1.ResourceType", "launch-template" },
	{ "TagSpecification.1.Tag.1.Key", "awsx:lc-migrate" },
	{ "TagSpecification.1.Tag.1.Value", "web-v1" },
	{ "TagSpecification.1.Tag.2.Key", "Name" },
	{ "TagSpecification.1.Tag.2.Value", "web & co" },
};

static const char in_clt2[] =
	"{"
	"  \"DryRun\": true,"
	"  \"ClientToken\": \"tok-2\","
	"  \"LaunchTemplateName\": \"lc-migrate-app\","
	"  \"LaunchTemplateData\": {"
	"    \"ImageId\": \"ami-0abcdef1234567890\","
	"    \"InstanceType\": \"m5.large\","
	"    \"SecurityGroupIds\": ["
	"      \"sg-0123456789abcdef0\""
	"    ],"
	"    \"IamInstanceProfile\": {"
	"      \"Name\": \"app-profile\""
	"    },"
	"    \"Monitoring\": {"
	"      \"Enabled\": true"
	"    },"
	"    \"EbsOptimized\": true,"
	"    \"BlockDeviceMappings\": [],"
	"    \"MetadataOptions\": {"
	"      \"HttpTokens\": \"optional\","
	"      \"HttpEndpoint\": \"disabled\""
	"    },"
	"    \"InstanceMarketOptions\": {"
	"      \"MarketType\": \"spot\","
	"      \"SpotOptions\": {"
	"        \"ValidUntil\": \"2030-01-02T03:04:05.5Z\","
	"        \"SpotInstanceType\": \"one-time\""
	"      }"
	"    }"
	"  }"
	"}";

static const char *const params_clt2[][2] = {
	{ "DryRun", "true" },
	{ "ClientToken", "tok-2" },
	{ "LaunchTemplateName", "lc-migrate-app" },
	{ "LaunchTemplateData.ImageId", "ami-0abcdef1234567890" },
	{ "LaunchTemplateData.InstanceType", "m5.large" },
	{ "LaunchTemplateData.SecurityGroupId.1", "sg-0123456789abcdef0" },
	{ "LaunchTemplateData.IamInstanceProfile.Name", "app-profile" },
	{ "LaunchTemplateData.Monitoring.Enabled", "true" },
	{ "LaunchTemplateData.EbsOptimized", "true" },
	{ "LaunchTemplateData.MetadataOptions.HttpTokens", "optional" },
	{ "LaunchTemplateData.MetadataOptions.HttpEndpoint", "disabled" },
	{ "LaunchTemplateData.InstanceMarketOptions.MarketType", "spot" },
	{ "LaunchTemplateData.InstanceMarketOptions.SpotOptions.ValidUntil", "2030-01-02T03:04:05.500000Z" },
	{ "LaunchTemplateData.InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time" },
};

static const char in_uasg[] =
	"{"
	"  \"AutoScalingGroupName\": \"web-asg\","
	"  \"LaunchTemplate\": {"
	"    \"LaunchTemplateId\": \"lt-0123456789abcdef0\","
	"    \"Version\": \"$Latest\""
	"  },"
	"  \"MinSize\": 1,"
	"  \"MaxSize\": 4,"
	"  \"DesiredCapacity\": 2,"
	"  \"AvailabilityZones\": ["
	"    \"us-east-1a\","
	"    \"us-east-1b\""
	"  ],"
	"  \"TerminationPolicies\": [],"
	"  \"NewInstancesProtectedFromScaleIn\": false,"
	"  \"MixedInstancesPolicy\": {"
	"    \"LaunchTemplate\": {"
	"      \"LaunchTemplateSpecification\": {"
	"        \"LaunchTemplateName\": \"web\","
	"        \"Version\": \"2\""
	"      },"
	"      \"Overrides\": ["
	"        {"
	"          \"InstanceType\": \"t3.micro\","
	"          \"WeightedCapacity\": \"1\""
	"        },"
	"        {"
	"          \"InstanceType\": \"t3a.micro\","
	"          \"InstanceRequirements\": {"
	"            \"VCpuCount\": {"
	"              \"Min\": 2"
	"            },"
	"            \"MemoryMiB\": {"
	"              \"Min\": 1024"
	"            },"
	"            \"NetworkBandwidthGbps\": {"
	"              \"Min\": 0.5,"
	"              \"Max\": 10"
	"            }"
	"          }"
	"        }"
	"      ]"
	"    },"
	"    \"InstancesDistribution\": {"
	"      \"OnDemandBaseCapacity\": 0,"
	"      \"SpotMaxPrice\": \"\""
	"    }"
	"  }"
	"}";

static const char *const params_uasg[][2] = {
	{ "AutoScalingGroupName", "web-asg" },
	{ "LaunchTemplate.LaunchTemplateId", "lt-0123456789abcdef0" },
	{ "LaunchTemplate.Version", "$Latest" },
	{ "MinSize", "1" },
	{ "MaxSize", "4" },
	{ "DesiredCapacity", "2" },
	{ "AvailabilityZones.member.1", "us-east-1a" },
	{ "AvailabilityZones.member.2", "us-east-1b" },
	{ "TerminationPolicies", "" },
	{ "NewInstancesProtectedFromScaleIn", "false" },
	{ "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName", "web" },
	{ "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version", "2" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType", "t3.micro" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.WeightedCapacity", "1" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.2.InstanceType", "t3a.micro" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.2.InstanceRequirements.VCpuCount.Min", "2" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.2.InstanceRequirements.MemoryMiB.Min", "1024" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.2.InstanceRequirements.NetworkBandwidthGbps.Min", "0.5" },
	{ "MixedInstancesPolicy.LaunchTemplate.Overrides.member.2.InstanceRequirements.NetworkBandwidthGbps.Max", "10" },
	{ "MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity", "0" },
	{ "MixedInstancesPolicy.InstancesDistribution.SpotMaxPrice", "" },
};

static const char in_sir[] =
	"{"
	"  \"AutoScalingGroupName\": \"web-asg\","
	"  \"Strategy\": \"Rolling\","
	"  \"DesiredConfiguration\": {"
	"    \"LaunchTemplate\": {"
	"      \"LaunchTemplateName\": \"web\","
	"      \"Version\": \"$Latest\""
	"    }"
	"  },"
	"  \"Preferences\": {"
	"    \"MinHealthyPercentage\": 90,"
	"    \"InstanceWarmup\": 60,"
	"    \"CheckpointPercentages\": ["
	"      50,"
	"      100"
	"    ],"
	"    \"SkipMatching\": true,"
	"    \"AlarmSpecification\": {"
	"      \"Alarms\": []"
	"    },"
	"    \"BakeTime\": 0"
	"  }"
	"}";

static const char *const params_sir[][2] = {
	{ "AutoScalingGroupName", "web-asg" },
	{ "Strategy", "Rolling" },
	{ "DesiredConfiguration.LaunchTemplate.LaunchTemplateName", "web" },
	{ "DesiredConfiguration.LaunchTemplate.Version", "$Latest" },
	{ "Preferences.MinHealthyPercentage", "90" },
	{ "Preferences.InstanceWarmup", "60" },
	{ "Preferences.CheckpointPercentages.member.1", "50" },
	{ "Preferences.CheckpointPercentages.member.2", "100" },
	{ "Preferences.SkipMatching", "true" },
	{ "Preferences.AlarmSpecification.Alarms", "" },
	{ "Preferences.BakeTime", "0" },
};

/* ---- helpers ---- */

static struct xml_node *parse_xml(const char *doc)
{
	struct xml_node *root = NULL;
	struct aws_error err;

	aws_error_clear(&err);
	if (xml_parse(doc, strlen(doc), &root, &err)) {
		fprintf(stderr, "test XML does not parse: %s\n", err.message);
		CHECK(!"test XML parses");
	}
	return root;
}

/* The whole answer of operation as JSON, or NULL. */
static cJSON *answer(const char *doc, const char *service, const char *op,
		     int ec2, const struct shape *s)
{
	struct xml_node *root = parse_xml(doc);
	struct aws_error err;
	cJSON *out = NULL;

	aws_error_clear(&err);
	if (root && shape_answer_to_json(root, service, op, ec2, s, &out, &err)) {
		fprintf(stderr, "%s: %s\n", op, err.message);
		CHECK(!"answer converts");
	}
	xml_free(root);
	return out;
}

/* got printed compactly must be expected byte for byte (key order too). */
static void check_json_text(const char *what, const cJSON *got,
			    const char *expected)
{
	char *text = got ? cJSON_PrintUnformatted(got) : NULL;

	if (!text || strcmp(text, expected)) {
		fprintf(stderr, "%s:\n  got:      %s\n  expected: %s\n", what,
			text ? text : "(null)", expected);
		CHECK(!"JSON as botocore");
	}
	free(text);
}

static void check_json_value(const char *what, const cJSON *got,
			     const char *expected)
{
	cJSON *want = cJSON_Parse(expected);

	CHECK(want != NULL);
	if (!got || !cJSON_Compare(got, want, 1)) {
		char *text = got ? cJSON_PrintUnformatted(got) : NULL;
		fprintf(stderr, "%s:\n  got:      %s\n  expected: %s\n", what,
			text ? text : "(null)", expected);
		CHECK(!"JSON value");
		free(text);
	}
	cJSON_Delete(want);
}

#define CHECK_PARAMS(got, expected)                                          \
	check_params(#expected, (got), (expected), ARRAY_SIZE(expected))

static void check_params(const char *what, const struct kvlist *got,
			 const char *const (*expected)[2], size_t n)
{
	for (size_t i = 0; i < n || i < got->nr; i++) {
		const char *gn = i < got->nr ? got->items[i].name : "(none)";
		const char *gv = i < got->nr ? got->items[i].value : "";
		const char *en = i < n ? expected[i][0] : "(none)";
		const char *ev = i < n ? expected[i][1] : "";
		if (strcmp(gn, en) || strcmp(gv, ev)) {
			fprintf(stderr, "%s: parameter %zu is %s=%s, expected %s=%s\n",
				what, i + 1, gn, gv, en, ev);
			CHECK(!"parameters as botocore");
			return;
		}
	}
}

/* Serialise JSON text; returns the rc, params filled on success. */
static int to_query(const char *json, const struct shape *s, const char *prefix,
		    int ec2, struct kvlist *params, struct aws_error *err)
{
	cJSON *j = cJSON_Parse(json);
	int rc;

	CHECK(j != NULL);
	aws_error_clear(err);
	rc = shape_json_to_query(j, s, prefix, ec2, params, err);
	cJSON_Delete(j);
	return rc;
}

static const cJSON *path(const cJSON *j, const char *p)
{
	char seg[128];

	while (j && *p) {
		size_t n = strcspn(p, "/");
		snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
		if (cJSON_IsArray(j))
			j = cJSON_GetArrayItem(j, atoi(seg));
		else
			j = cJSON_GetObjectItemCaseSensitive(j, seg);
		p += n;
		if (*p == '/')
			p++;
	}
	return j;
}

/* ---- the tables ---- */

static void test_find(void)
{
	CHECK(shape_find("ec2", "RequestLaunchTemplateData") ==
	      &shape_ec2_RequestLaunchTemplateData);
	CHECK(shape_find("autoscaling", "LaunchConfigurationsType") ==
	      &shape_autoscaling_LaunchConfigurationsType);
	CHECK(shape_find("autoscaling", "RequestLaunchTemplateData") == NULL);
	CHECK(shape_find("ec2", "Filter") == NULL); /* reachable, not exported */
	CHECK(shape_find("ec2", "") == NULL);
	CHECK(shape_find("zzz", "LaunchTemplate") == NULL);
	CHECK(shape_find(NULL, "LaunchTemplate") == NULL);

	const struct shape_member *m =
		shape_find_member(&shape_ec2_RequestLaunchTemplateData, "NetworkInterfaces");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->query, "NetworkInterface");
		CHECK(m->shape->kind == SHAPE_LIST);
	}
	/* ec2 answers name members in lower camel case */
	m = shape_find_member(&shape_ec2_ResponseLaunchTemplateData, "RamDiskId");
	CHECK(m && !strcmp(m->wire, "ramDiskId"));
	/* the RunInstances root keeps only what the dry run sends */
	CHECK_INT(shape_ec2_RunInstancesRequest.nr_members, 5);
	CHECK(shape_find_member(&shape_ec2_RunInstancesRequest, "ImageId") == NULL);
	m = shape_find_member(&shape_ec2_RunInstancesRequest, "MinCount");
	CHECK(m && (m->flags & SHAPE_REQUIRED));
	m = shape_find_member(&shape_ec2_CreateLaunchTemplateRequest, "ClientToken");
	CHECK(m && (m->flags & SHAPE_IDEMPOTENCY_TOKEN));
	CHECK(shape_find_member(&shape_string, "x") == NULL);
}

/* ---- XML answers -> JSON, as botocore parses them ---- */

struct answer_case {
	const char *service, *operation;
	int ec2;
	const struct shape *shape;
	const char *xml, *expected;
};

static void test_answers(void)
{
	static const struct answer_case cases[] = {
		{ "autoscaling", "DescribeAutoScalingGroups", 0,
		  &shape_autoscaling_AutoScalingGroupsType, xml_asgs, json_asgs },
		{ "autoscaling", "DescribeInstanceRefreshes", 0,
		  &shape_autoscaling_DescribeInstanceRefreshesAnswer, xml_refreshes,
		  json_refreshes },
		{ "autoscaling", "StartInstanceRefresh", 0,
		  &shape_autoscaling_StartInstanceRefreshAnswer, xml_start_refresh,
		  json_start_refresh },
		{ "ec2", "DescribeRegions", 1, &shape_ec2_DescribeRegionsResult,
		  xml_regions, json_regions },
		{ "ec2", "DescribeSecurityGroups", 1,
		  &shape_ec2_DescribeSecurityGroupsResult, xml_sgs, json_sgs },
		{ "ec2", "DescribeSubnets", 1, &shape_ec2_DescribeSubnetsResult,
		  xml_subnets, json_subnets },
		{ "ec2", "DescribeLaunchTemplates", 1,
		  &shape_ec2_DescribeLaunchTemplatesResult, xml_lts, json_lts },
		{ "ec2", "CreateLaunchTemplate", 1,
		  &shape_ec2_CreateLaunchTemplateResult, xml_create_lt,
		  json_create_lt },
		{ "ec2", "CreateLaunchTemplateVersion", 1,
		  &shape_ec2_CreateLaunchTemplateVersionResult, xml_create_ltv,
		  json_create_ltv },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct answer_case *c = &cases[i];
		cJSON *got = answer(c->xml, c->service, c->operation, c->ec2, c->shape);
		check_json_text(c->operation, got, c->expected);
		cJSON_Delete(got);
	}
}

/* Launch configurations, with two elements no shape knows (yet). */
static void test_answer_launch_configurations(void)
{
	cJSON *got = answer(xml_lcs, "autoscaling", "DescribeLaunchConfigurations",
			    0, &shape_autoscaling_LaunchConfigurationsType);
	cJSON *lc = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(got, "LaunchConfigurations"), 0);

	/* what lc2lt.py got wrong: false stays false, UserData untouched */
	CHECK(cJSON_IsFalse(path(lc, "AssociatePublicIpAddress")));
	CHECK(cJSON_IsFalse(path(lc, "InstanceMonitoring/Enabled")));
	CHECK(cJSON_IsFalse(path(lc, "BlockDeviceMappings/0/Ebs/Encrypted")));
	CHECK(cJSON_IsTrue(path(lc, "BlockDeviceMappings/2/NoDevice")));
	CHECK_STR(cJSON_GetStringValue(path(lc, "UserData")),
		  "IyEvYmluL2Jhc2gKZWNobyAnaGkgJmFtcDsgYnllJwo=");
	CHECK_STR(cJSON_GetStringValue(path(lc, "CreatedTime")),
		  "2019-03-14T15:09:26.535Z");
	CHECK_STR(cJSON_GetStringValue(path(lc, "KernelId")), "");
	CHECK(cJSON_IsArray(path(lc, "ClassicLinkVPCSecurityGroups")));
	/* unknown elements are kept, nested ones as objects, repeats as arrays */
	check_json_value("CapacityHint", path(lc, "CapacityHint"),
			 "{\"Weight\":\"3\",\"Zone\":[\"a\",\"b\"]}");
	CHECK_STR(cJSON_GetStringValue(path(lc, "FutureFlag")), "on");
	cJSON_DeleteItemFromObjectCaseSensitive(lc, "CapacityHint");
	cJSON_DeleteItemFromObjectCaseSensitive(lc, "FutureFlag");
	check_json_text("DescribeLaunchConfigurations", got, json_lcs);
	cJSON_Delete(got);
}

static void test_answer_launch_template_versions(void)
{
	cJSON *got = answer(xml_ltvs, "ec2", "DescribeLaunchTemplateVersions", 1,
			    &shape_ec2_DescribeLaunchTemplateVersionsResult);
	cJSON *data = (cJSON *)path(got, "LaunchTemplateVersions/0/LaunchTemplateData");

	CHECK(cJSON_IsFalse(path(data, "NetworkInterfaces/0/AssociatePublicIpAddress")));
	CHECK(cJSON_IsNumber(path(data, "NetworkInterfaces/0/DeviceIndex")));
	/* <groupSet><groupId>..</groupId></groupSet>: items by any name */
	CHECK_STR(cJSON_GetStringValue(path(data, "NetworkInterfaces/0/Groups/1")),
		  "sg-0fedcba9876543210");
	CHECK_STR(cJSON_GetStringValue(path(data, "BlockDeviceMappings/2/NoDevice")), "");
	CHECK_STR(cJSON_GetStringValue(path(data, "RamDiskId")), "ari-12345678");
	check_json_value("quantumOptions", path(data, "quantumOptions"),
			 "{\"qubits\":\"7\"}");
	cJSON_DeleteItemFromObjectCaseSensitive(data, "quantumOptions");
	check_json_text("DescribeLaunchTemplateVersions", got, json_ltvs);
	cJSON_Delete(got);
}

/* ---- page parsers ---- */

typedef int (*page_fn)(const struct aws_response *resp, cJSON **items,
		       char **next_token, struct aws_error *err);

static void check_page(const char *doc, page_fn fn, int nr_items,
		       const char *token)
{
	struct aws_response resp;
	struct aws_error err;
	cJSON *items = NULL;
	char *tok = (char *)"unset";

	aws_response_init(&resp);
	aws_error_clear(&err);
	resp.xml = parse_xml(doc);
	CHECK_INT(fn(&resp, &items, &tok, &err), 0);
	CHECK(cJSON_IsArray(items));
	CHECK_INT(cJSON_GetArraySize(items), nr_items);
	if (token)
		CHECK_STR(tok, token);
	else
		CHECK(tok == NULL);
	cJSON_Delete(items);
	free(tok);
	/* the token is optional */
	CHECK_INT(fn(&resp, &items, NULL, &err), 0);
	cJSON_Delete(items);
	aws_response_release(&resp);
}

static void test_pages(void)
{
	check_page(xml_lcs, autoscaling_describe_launch_configurations_page, 2,
		   "eyJsYXN0IjoiYXBwIHYyIn0=");
	check_page(xml_asgs, autoscaling_describe_auto_scaling_groups_page, 2, NULL);
	check_page(xml_refreshes, autoscaling_describe_instance_refreshes_page, 1, NULL);
	check_page(xml_regions, ec2_describe_regions_page, 3, NULL);
	check_page(xml_sgs, ec2_describe_security_groups_page, 1, "sg-page-2");
	check_page(xml_subnets, ec2_describe_subnets_page, 2, NULL);
	check_page(xml_lts, ec2_describe_launch_templates_page, 1, "lt-page-2");
	check_page(xml_ltvs, ec2_describe_launch_template_versions_page, 2, NULL);

	/* an ec2 answer without its list (AWS leaves empty ones out) */
	check_page("<DescribeSubnetsResponse><requestId>r</requestId>"
		   "</DescribeSubnetsResponse>",
		   ec2_describe_subnets_page, 0, NULL);
	/* an empty token is the last page */
	check_page("<DescribeLaunchConfigurationsResponse>"
		   "<DescribeLaunchConfigurationsResult><LaunchConfigurations/>"
		   "<NextToken></NextToken></DescribeLaunchConfigurationsResult>"
		   "</DescribeLaunchConfigurationsResponse>",
		   autoscaling_describe_launch_configurations_page, 0, NULL);
}

static void check_bad_page(const char *doc, page_fn fn, const char *message)
{
	struct aws_response resp;
	struct aws_error err;
	cJSON *items = (cJSON *)1;
	char *tok = (char *)"unset";

	aws_response_init(&resp);
	aws_error_clear(&err);
	resp.xml = doc ? parse_xml(doc) : NULL;
	CHECK_INT(fn(&resp, &items, &tok, &err), -AWSX_ESERVICE);
	CHECK(items == NULL && tok == NULL);
	CHECK_STR(err.message, message);
	aws_response_release(&resp);
}

static void test_bad_pages(void)
{
	struct strbuf line = STRBUF_INIT;
	struct aws_response resp;
	struct aws_error err;
	cJSON *items;

	check_bad_page("<DescribeAutoScalingGroupsResponse><ResponseMetadata/>"
		       "</DescribeAutoScalingGroupsResponse>",
		       autoscaling_describe_auto_scaling_groups_page,
		       "malformed answer: no DescribeAutoScalingGroupsResult element");
	/* the right wrapper of the wrong operation */
	check_bad_page("<DescribeLaunchConfigurationsResponse>"
		       "<DescribeAutoScalingGroupsResult/>"
		       "</DescribeLaunchConfigurationsResponse>",
		       autoscaling_describe_launch_configurations_page,
		       "malformed answer: no DescribeLaunchConfigurationsResult element");
	check_bad_page("<DescribeLaunchConfigurationsResponse>"
		       "<DescribeLaunchConfigurationsResult>"
		       "<LaunchConfigurations>surprise</LaunchConfigurations>"
		       "</DescribeLaunchConfigurationsResult>"
		       "</DescribeLaunchConfigurationsResponse>",
		       autoscaling_describe_launch_configurations_page,
		       "malformed answer: 'LaunchConfigurations' is not a list");
	check_bad_page(NULL, ec2_describe_regions_page,
		       "malformed answer: no XML body");

	/* the error names service and operation in its one line */
	aws_response_init(&resp);
	aws_error_clear(&err);
	CHECK(ec2_describe_subnets_page(&resp, &items, NULL, &err) < 0);
	aws_error_format(&err, &line);
	CHECK_STR(line.buf, "ec2 DescribeSubnets failed: malformed answer: no XML body");
	strbuf_release(&line);
	aws_response_release(&resp);
}

static void test_ec2_result(void)
{
	struct aws_response resp;
	struct aws_error err;
	cJSON *out = NULL;

	aws_response_init(&resp);
	aws_error_clear(&err);
	resp.xml = parse_xml(xml_create_lt);
	CHECK_INT(ec2_result(&resp, "CreateLaunchTemplate", &out, &err), 0);
	check_json_text("ec2_result", out, json_create_lt);
	cJSON_Delete(out);
	aws_response_release(&resp);

	/* an operation without a table converts generically */
	aws_response_init(&resp);
	resp.xml = parse_xml("<DeleteKeyPairResponse><requestId>r-9</requestId>"
			     "<return>true</return></DeleteKeyPairResponse>");
	CHECK_INT(ec2_result(&resp, "DeleteKeyPair", &out, &err), 0);
	check_json_text("generic", out,
			"{\"return\":\"true\",\"ResponseMetadata\":{\"RequestId\":\"r-9\"}}");
	cJSON_Delete(out);
	aws_response_release(&resp);

	aws_response_init(&resp);
	resp.xml = parse_xml(xml_start_refresh);
	CHECK_INT(autoscaling_start_instance_refresh_result(&resp, &out, &err), 0);
	CHECK_STR(cJSON_GetStringValue(path(out, "InstanceRefreshId")),
		  "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b");
	cJSON_Delete(out);
	aws_response_release(&resp);
}

/* ---- hostile and mistyped answers ---- */

static cJSON *convert(const char *doc, const struct shape *s)
{
	struct xml_node *root = parse_xml(doc);
	cJSON *out = shape_xml_to_json(root, s);
	xml_free(root);
	return out;
}

static void check_convert(const char *doc, const struct shape *s,
			  const char *expected)
{
	cJSON *got = convert(doc, s);
	check_json_text(doc, got, expected);
	cJSON_Delete(got);
}

static void test_wrong_types(void)
{
	const struct shape *ebs = shape_find("ec2", "LaunchTemplateVersion");
	CHECK(ebs != NULL);

	/* scalars that are not what the shape says stay text */
	check_convert("<x>yes</x>", &shape_boolean, "\"yes\"");
	check_convert("<x>True</x>", &shape_boolean, "\"True\"");
	check_convert("<x>false</x>", &shape_boolean, "false");
	check_convert("<x>12abc</x>", &shape_integer, "\"12abc\"");
	check_convert("<x></x>", &shape_integer, "\"\"");
	check_convert("<x> 42\n</x>", &shape_integer, "42");
	check_convert("<x>-7</x>", &shape_long, "-7");
	check_convert("<x>99999999999999999999</x>", &shape_long,
		      "\"99999999999999999999\"");
	/* past 15 digits cJSON would print the number changed: kept as text */
	check_convert("<x>1234567890123456</x>", &shape_long,
		      "\"1234567890123456\"");
	check_convert("<x>-999999999999999</x>", &shape_long, "-999999999999999");
	check_convert("<x>1e5</x>", &shape_double, "100000");
	check_convert("<x>0.25</x>", &shape_double, "0.25");
	check_convert("<x>nan</x>", &shape_double, "\"nan\"");
	check_convert("<x>inf</x>", &shape_double, "\"inf\"");
	check_convert("<x>0x10</x>", &shape_double, "\"0x10\"");
	check_convert("<x>1e999</x>", &shape_double, "\"1e999\"");
	check_convert("<x>2024-01-02T03:04:05Z</x>", &shape_timestamp,
		      "\"2024-01-02T03:04:05Z\"");
	check_convert("<x>not a time</x>", &shape_timestamp, "\"not a time\"");
	check_convert("<x>aGk=</x>", &shape_blob, "\"aGk=\"");

	/* text where a container belongs */
	check_convert("<v><versionNumber>x1</versionNumber>"
		      "<defaultVersion>maybe</defaultVersion>"
		      "<launchTemplateData>oops</launchTemplateData></v>",
		      ebs,
		      "{\"VersionNumber\":\"x1\",\"DefaultVersion\":\"maybe\","
		      "\"LaunchTemplateData\":\"oops\"}");
	check_convert("<d><blockDeviceMappingSet>\n  </blockDeviceMappingSet>"
		      "<securityGroupIdSet>sg-1</securityGroupIdSet>"
		      "<monitoring/></d>",
		      &shape_ec2_ResponseLaunchTemplateData,
		      "{\"BlockDeviceMappings\":[],\"Monitoring\":{},"
		      "\"SecurityGroupIds\":\"sg-1\"}");
	/*
	 * An element named like a member's JSON name but not its wire name
	 * must not pose as that member; it is dropped, not mixed in.
	 */
	check_convert("<d><ImageId>ami-fake</ImageId><imageId>ami-1</imageId></d>",
		      &shape_ec2_ResponseLaunchTemplateData,
		      "{\"ImageId\":\"ami-1\"}");
	check_convert("<d><ImageId>ami-fake</ImageId></d>",
		      &shape_ec2_ResponseLaunchTemplateData, "{}");
	/* a repeated scalar member: the first wins (botocore: undefined) */
	check_convert("<d><imageId>ami-1</imageId><imageId>ami-2</imageId></d>",
		      &shape_ec2_ResponseLaunchTemplateData,
		      "{\"ImageId\":\"ami-1\"}");
	/* deep unknown structure is kept whole */
	check_convert("<d><a><b><c>1</c><c>2</c><c><d>3</d></c></b></a></d>",
		      &shape_ec2_ResponseLaunchTemplateData,
		      "{\"a\":{\"b\":{\"c\":[\"1\",\"2\",{\"d\":\"3\"}]}}}");
	/* without a shape everything is generic */
	check_convert("<r><x>1</x><y/></r>", NULL, "{\"x\":\"1\",\"y\":\"\"}");
	CHECK(shape_xml_to_json(NULL, &shape_string) == NULL);
}

/* Unknown names are kept up to a bound, repeats of a kept name always. */
static void test_unknown_bound(void)
{
	struct strbuf doc = STRBUF_INIT;
	cJSON *got;

	strbuf_adds(&doc, "<d><imageId>ami-1</imageId>");
	for (int i = 0; i < 300; i++)
		strbuf_addf(&doc, "<u%d>%d</u%d>", i, i, i);
	for (int i = 0; i < 1000; i++)
		strbuf_adds(&doc, "<u0>again</u0>");
	strbuf_adds(&doc, "</d>");
	got = convert(doc.buf, &shape_ec2_ResponseLaunchTemplateData);
	CHECK_INT(cJSON_GetArraySize(got), 1 + 256);
	CHECK_STR(cJSON_GetStringValue(path(got, "u255")), "255");
	CHECK(path(got, "u256") == NULL);
	CHECK_INT(cJSON_GetArraySize(path(got, "u0")), 1001);
	CHECK_STR(cJSON_GetStringValue(path(got, "ImageId")), "ami-1");
	cJSON_Delete(got);
	strbuf_release(&doc);
}

/* The deepest tree the parser allows converts without trouble. */
static void test_deep(void)
{
	struct strbuf doc = STRBUF_INIT;
	cJSON *got;

	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&doc, "<launchTemplateData>");
	strbuf_adds(&doc, "x");
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		strbuf_adds(&doc, "</launchTemplateData>");
	got = convert(doc.buf, &shape_ec2_LaunchTemplateVersion);
	CHECK(cJSON_IsObject(got));
	cJSON_Delete(got);
	strbuf_release(&doc);
}

/*
 * Maps, flattened lists and maps and renamed entries: none of the AWS
 * operations above has one, so a model written for the test (a query
 * service "Fake", operation "Op" taking and answering this structure) was
 * run through botocore to get the facts below.  The tables are what
 * shapes-gen.py writes for such a model.
 */
static const struct shape_member fake_attr_map_m[] = {
	{ NULL, "key", "key", &shape_string, 0 },
	{ NULL, "value", "value", &shape_integer, 0 },
};
static const struct shape fake_attr_map = { "AttrMap", SHAPE_MAP, 0, fake_attr_map_m, 2 };
static const struct shape_member fake_flat_named_m[] = {
	{ NULL, "Item", "Item", &shape_string, SHAPE_NAMED },
};
static const struct shape fake_flat_named = { "FlatNamedList", SHAPE_LIST,
					      SHAPE_FLATTENED, fake_flat_named_m, 1 };
static const struct shape_member fake_flat_list_m[] = {
	{ NULL, "member", "member", &shape_string, 0 },
};
static const struct shape fake_flat_list = { "FlatList", SHAPE_LIST, SHAPE_FLATTENED,
					     fake_flat_list_m, 1 };
static const struct shape_member fake_flat_map_m[] = {
	{ NULL, "key", "key", &shape_string, 0 },
	{ NULL, "value", "value", &shape_string, 0 },
};
static const struct shape fake_flat_map = { "FlatMap", SHAPE_MAP, SHAPE_FLATTENED,
					    fake_flat_map_m, 2 };
static const struct shape_member fake_renamed_map_m[] = {
	{ NULL, "name", "Name", &shape_string, 0 },
	{ NULL, "on", "On", &shape_boolean, 0 },
};
static const struct shape fake_renamed_map = { "RenamedMap", SHAPE_MAP, 0,
					       fake_renamed_map_m, 2 };
static const struct shape fake_str_list = { "StrList", SHAPE_LIST, 0,
					    fake_flat_list_m, 1 };
static const struct shape_member fake_rec_m[] = {
	{ "Attrs", "Attrs", "Attrs", &fake_attr_map, 0 },
	{ "Flat", "FlatOrig", "FlatOrig", &fake_flat_named, SHAPE_FLATTENED },
	{ "FlatPlain", "FlatPlain", "FlatPlain", &fake_flat_list, SHAPE_FLATTENED },
	{ "FlatMap", "FlatMap", "FlatMap", &fake_flat_map, SHAPE_FLATTENED },
	{ "Renamed", "Renamed", "Renamed", &fake_renamed_map, 0 },
	{ "Empty", "Empty", "Empty", &fake_str_list, 0 },
	{ "When", "When", "When", &shape_timestamp, 0 },
	{ "Ratio", "Ratio", "Ratio", &shape_double, 0 },
	{ "Big", "Big", "Big", &shape_long, 0 },
};
static const struct shape fake_rec = { "Rec", SHAPE_STRUCTURE, 0, fake_rec_m,
				       ARRAY_SIZE(fake_rec_m) };

static const char fake_request[] =
	"{\"Attrs\":{\"a\":1,\"b\":2},\"Flat\":[\"x\",\"y\"],"
	"\"FlatPlain\":[\"p\",\"q\"],\"FlatMap\":{\"k1\":\"v1\",\"k2\":\"v2\"},"
	"\"Renamed\":{\"n\":true},\"Empty\":[],"
	"\"When\":\"2024-01-02T03:04:05+00:00\",\"Ratio\":0.25,"
	"\"Big\":1234567890123}";
static const char *const fake_query_params[][2] = {
	{ "Attrs.entry.1.key", "a" }, { "Attrs.entry.1.value", "1" },
	{ "Attrs.entry.2.key", "b" }, { "Attrs.entry.2.value", "2" },
	{ "Item.1", "x" }, { "Item.2", "y" },
	{ "FlatPlain.1", "p" }, { "FlatPlain.2", "q" },
	{ "FlatMap.1.key", "k1" }, { "FlatMap.1.value", "v1" },
	{ "FlatMap.2.key", "k2" }, { "FlatMap.2.value", "v2" },
	{ "Renamed.entry.1.name", "n" }, { "Renamed.entry.1.on", "true" },
	{ "Empty", "" },
	{ "When", "2024-01-02T03:04:05Z" },
	{ "Ratio", "0.25" },
	{ "Big", "1234567890123" },
};
static const char *const fake_ec2_params[][2] = {
	{ "Attrs.entry.1.key", "a" }, { "Attrs.entry.1.value", "1" },
	{ "Attrs.entry.2.key", "b" }, { "Attrs.entry.2.value", "2" },
	{ "FlatOrig.1", "x" }, { "FlatOrig.2", "y" },
	{ "FlatPlain.1", "p" }, { "FlatPlain.2", "q" },
	{ "FlatMap.1.key", "k1" }, { "FlatMap.1.value", "v1" },
	{ "FlatMap.2.key", "k2" }, { "FlatMap.2.value", "v2" },
	{ "Renamed.entry.1.Name", "n" }, { "Renamed.entry.1.On", "true" },
	{ "When", "2024-01-02T03:04:05Z" },
	{ "Ratio", "0.25" },
	{ "Big", "1234567890123" },
};
static const char fake_answer[] =
	"<OpResponse><OpResult>"
	"<Attrs><entry><key>a</key><value>1</value></entry>"
	"<entry><key>b</key><value>2</value></entry></Attrs>"
	"<Item>x</Item><Item>y</Item>"
	"<FlatPlain>p</FlatPlain><FlatPlain>q</FlatPlain>"
	"<FlatMap><key>k1</key><value>v1</value></FlatMap>"
	"<FlatMap><key>k2</key><value>v2</value></FlatMap>"
	"<Renamed><entry><name>n</name><on>true</on></entry></Renamed>"
	"<Empty/><When>2024-01-02T03:04:05Z</When><Ratio>0.25</Ratio>"
	"<Big>1234567890123</Big></OpResult>"
	"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
	"</OpResponse>";
static const char fake_answer_json[] =
	"{\"Attrs\":{\"a\":1,\"b\":2},\"Flat\":[\"x\",\"y\"],"
	"\"FlatPlain\":[\"p\",\"q\"],\"FlatMap\":{\"k1\":\"v1\",\"k2\":\"v2\"},"
	"\"Renamed\":{\"n\":true},\"Empty\":[],\"When\":\"2024-01-02T03:04:05Z\","
	"\"Ratio\":0.25,\"Big\":1234567890123,"
	"\"ResponseMetadata\":{\"RequestId\":\"r-1\"}}";

static void test_maps_and_flattened(void)
{
	struct kvlist params = KVLIST_INIT;
	struct aws_error err;
	cJSON *got;

	CHECK_INT(to_query(fake_request, &fake_rec, "", 0, &params, &err), 0);
	CHECK_PARAMS(&params, fake_query_params);
	kvlist_release(&params);
	CHECK_INT(to_query(fake_request, &fake_rec, NULL, 1, &params, &err), 0);
	CHECK_PARAMS(&params, fake_ec2_params);
	kvlist_release(&params);

	got = answer(fake_answer, "fake", "Op", 0, &fake_rec);
	check_json_text("fake answer", got, fake_answer_json);
	cJSON_Delete(got);

	/* a map entry without a key is kept visible, not dropped */
	check_convert("<r><Attrs><entry><value>1</value></entry>"
		      "<entry><key>k</key></entry></Attrs></r>",
		      &fake_rec,
		      "{\"Attrs\":{\"entry\":{\"value\":\"1\"},\"k\":null}}");
}

/* Timestamps and doubles as botocore writes them. */
static void test_scalar_forms(void)
{
	static const struct {
		const char *json, *when, *ratio;
	} cases[] = {
		{ "{\"When\":1704164645,\"Ratio\":1e-05}",
		  "2024-01-02T03:04:05Z", "1e-05" },
		{ "{\"When\":1704164645.25,\"Ratio\":0.1}",
		  "2024-01-02T03:04:05.250000Z", "0.1" },
		{ "{\"When\":\"2024-01-02T03:04:05.123456+00:00\","
		  "\"Ratio\":0.3333333333333333}",
		  "2024-01-02T03:04:05.123456Z", "0.3333333333333333" },
		{ "{\"When\":\"2024-01-02T03:04:05.5Z\",\"Ratio\":123456.789}",
		  "2024-01-02T03:04:05.500000Z", "123456.789" },
		{ "{\"When\":\"2024-01-02T05:04:05+02:00\",\"Ratio\":-2.5e-300}",
		  "2024-01-02T03:04:05Z", "-2.5e-300" },
		{ "{\"When\":\"2024-01-02T03:04:05\",\"Ratio\":1e300}",
		  "2024-01-02T03:04:05Z", "1e+300" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kvlist params = KVLIST_INIT;
		struct aws_error err;
		CHECK_INT(to_query(cases[i].json, &fake_rec, "", 0, &params, &err), 0);
		CHECK_STR(kvlist_get(&params, "When"), cases[i].when);
		CHECK_STR(kvlist_get(&params, "Ratio"), cases[i].ratio);
		kvlist_release(&params);
	}
}

/* ---- JSON requests -> parameters, as botocore serialises them ---- */

static void test_requests(void)
{
	struct kvlist params = KVLIST_INIT;
	struct aws_error err;

	CHECK_INT(to_query(in_clt, &shape_ec2_CreateLaunchTemplateRequest, "", 1,
			   &params, &err), 0);
	CHECK_PARAMS(&params, params_clt);
	kvlist_release(&params);

	CHECK_INT(to_query(in_clt2, &shape_ec2_CreateLaunchTemplateRequest, "", 1,
			   &params, &err), 0);
	CHECK_PARAMS(&params, params_clt2);
	kvlist_release(&params);

	CHECK_INT(to_query(in_uasg, &shape_autoscaling_UpdateAutoScalingGroupType,
			   "", 0, &params, &err), 0);
	CHECK_PARAMS(&params, params_uasg);
	kvlist_release(&params);

	CHECK_INT(to_query(in_sir, &shape_autoscaling_StartInstanceRefreshType, "",
			   0, &params, &err), 0);
	CHECK_PARAMS(&params, params_sir);
	kvlist_release(&params);
}

/* A member serialised on its own under a prefix gives the same names. */
static void test_prefix(void)
{
	struct kvlist params = KVLIST_INIT;
	struct aws_error err;
	cJSON *req = cJSON_Parse(in_clt);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(req, "LaunchTemplateData");
	size_t first = 3, n = 0;

	aws_error_clear(&err);
	CHECK_INT(shape_json_to_query(data, &shape_ec2_RequestLaunchTemplateData,
				      "LaunchTemplateData", 1, &params, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(params_clt); i++)
		if (str_starts_with(params_clt[i][0], "LaunchTemplateData."))
			n++;
	CHECK_INT(params.nr, n);
	for (size_t i = 0; i < params.nr && i < n; i++) {
		CHECK_STR(params.items[i].name, params_clt[first + i][0]);
		CHECK_STR(params.items[i].value, params_clt[first + i][1]);
	}
	kvlist_release(&params);
	cJSON_Delete(req);
}

static void check_refused(const char *json, const struct shape *s, int ec2,
			  const char *message)
{
	struct kvlist params = KVLIST_INIT;
	struct aws_error err;

	kvlist_add(&params, "Before", "1");
	CHECK_INT(to_query(json, s, "", ec2, &params, &err), -AWSX_EFAIL);
	CHECK_INT(err.kind, AWSX_EFAIL);
	CHECK_STR(err.message, message);
	/* nothing half-written */
	CHECK_INT(params.nr, 1);
	kvlist_release(&params);
}

static void test_refused(void)
{
	const struct shape *clt = &shape_ec2_CreateLaunchTemplateRequest;

	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"NetworkInterfaces\":[{\"DeviceIndex\":0},{\"Foo\":1}]}}",
		      clt, 1,
		      "unknown parameter 'LaunchTemplateData.NetworkInterfaces[1].Foo'");
	/* the lc2lt.py trap: "false" as a string would read as true */
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"NetworkInterfaces\":[{\"AssociatePublicIpAddress\":\"false\"}]}}",
		      clt, 1,
		      "invalid type for parameter "
		      "'LaunchTemplateData.NetworkInterfaces[0].AssociatePublicIpAddress': "
		      "expected boolean, got string");
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"NetworkInterfaces\":[{\"DeviceIndex\":0.5}]}}",
		      clt, 1,
		      "invalid type for parameter "
		      "'LaunchTemplateData.NetworkInterfaces[0].DeviceIndex': "
		      "expected integer, got number");
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"SecurityGroupIds\":\"sg-1\"}}",
		      clt, 1,
		      "invalid type for parameter 'LaunchTemplateData.SecurityGroupIds': "
		      "expected array, got string");
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"ImageId\":null}}",
		      clt, 1,
		      "invalid type for parameter 'LaunchTemplateData.ImageId': "
		      "expected string, got null");
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":"
		      "{\"Monitoring\":true}}",
		      clt, 1,
		      "invalid type for parameter 'LaunchTemplateData.Monitoring': "
		      "expected object, got boolean");
	check_refused("{\"LaunchTemplateName\":\"a\"}", clt, 1,
		      "missing required parameter 'LaunchTemplateData'");
	check_refused("{\"LaunchTemplateName\":\"a\",\"LaunchTemplateData\":{},"
		      "\"TagSpecifications\":[{\"Tags\":[{\"Key\":\"k\",\"Value\":1}]}]}",
		      clt, 1,
		      "invalid type for parameter 'TagSpecifications[0].Tags[0].Value': "
		      "expected string, got number");
	check_refused("[]", clt, 1,
		      "invalid type for parameter '': expected object, got array");
	/* member names are case-sensitive, as in botocore */
	check_refused("{\"autoScalingGroupName\":\"a\"}",
		      &shape_autoscaling_UpdateAutoScalingGroupType, 0,
		      "missing required parameter 'AutoScalingGroupName'");
	check_refused("{\"AutoScalingGroupName\":\"a\",\"maxSize\":1}",
		      &shape_autoscaling_UpdateAutoScalingGroupType, 0,
		      "unknown parameter 'maxSize'");
	check_refused("{\"AutoScalingGroupName\":\"a\",\"MaxSize\":1e300}",
		      &shape_autoscaling_UpdateAutoScalingGroupType, 0,
		      "invalid type for parameter 'MaxSize': expected integer, got number");
	/* only the members the dry run needs exist in RunInstances */
	check_refused("{\"MinCount\":1,\"MaxCount\":1,\"ImageId\":\"ami-1\"}",
		      &shape_ec2_RunInstancesRequest, 1,
		      "unknown parameter 'ImageId'");
	check_refused("{\"When\":\"yesterday\"}", &fake_rec, 0,
		      "invalid timestamp for parameter 'When': expected ISO 8601 "
		      "(2024-01-02T03:04:05Z) or epoch seconds");
	check_refused("{\"Attrs\":{\"a\":\"1\"}}", &fake_rec, 0,
		      "invalid type for parameter 'Attrs.a': expected integer, got string");
}

/* ---- builders ---- */

static void check_builder(const char *what, struct aws_call *call,
			  const char *operation, const char *const (*expected)[2],
			  size_t n)
{
	CHECK_STR(call->operation, operation);
	check_params(what, &call->params, expected, n);
	aws_call_release(call);
}

#define CHECK_BUILDER(call, op, expected)                                    \
	check_builder(#expected, (call), (op), (expected), ARRAY_SIZE(expected))

static void test_builders(void)
{
	static const char *const sgs[][2] = {
		{ "Filter.1.Name", "vpc-id" },
		{ "Filter.1.Value.1", "vpc-0a1b2c3d" },
		{ "Filter.2.Name", "group-name" },
		{ "Filter.2.Value.1", "web" },
		{ "Filter.2.Value.2", "db" },
		{ "MaxResults", "1000" },
		{ "NextToken", "tok-1" },
	};
	static const char *const regions[][2] = { { "AllRegions", "false" } };
	static const char *const subnets[][2] = {
		{ "SubnetId.1", "subnet-1" }, { "SubnetId.2", "subnet-2" },
	};
	static const char *const lts[][2] = {
		{ "Filter.1.Name", "tag:awsx:lc-migrate" },
		{ "Filter.1.Value.1", "web-v1" },
		{ "MaxResults", "200" },
	};
	static const char *const ltvs[][2] = {
		{ "LaunchTemplateId", "lt-0123" },
		{ "LaunchTemplateVersion.1", "1" },
		{ "LaunchTemplateVersion.2", "$Latest" },
	};
	static const char *const delete_lt[][2] = { { "LaunchTemplateName", "web" } };
	static const char *const dry_run[][2] = {
		{ "DryRun", "true" },
		{ "LaunchTemplate.LaunchTemplateId", "lt-0123" },
		{ "LaunchTemplate.Version", "3" },
		{ "SubnetId", "subnet-1" },
		{ "MinCount", "1" },
		{ "MaxCount", "1" },
	};
	static const char *const lcs[][2] = {
		{ "LaunchConfigurationNames.member.1", "web-v1" },
		{ "LaunchConfigurationNames.member.2", "app v2" },
		{ "NextToken", "tok-2" },
		{ "MaxRecords", "100" },
	};
	static const char *const asgs[][2] = { { "MaxRecords", "100" } };
	static const char *const delete_lc[][2] = {
		{ "LaunchConfigurationName", "web-v1" },
	};
	static const char *const refreshes[][2] = {
		{ "NextToken", "t3" },
		{ "MaxRecords", "100" },
		{ "AutoScalingGroupName", "web-asg" },
	};
	const char *sg_names[] = { "web", "db" };
	const char *subnet_ids[] = { "subnet-1", "subnet-2" };
	const char *versions[] = { "1", "$Latest" };
	const char *lc_names[] = { "web-v1", "app v2" };
	struct aws_call call;
	struct aws_error err;
	cJSON *spec;

	ec2_describe_security_groups_call(&call, "vpc-0a1b2c3d", sg_names, 2, "tok-1");
	CHECK_BUILDER(&call, "DescribeSecurityGroups", sgs);
	ec2_describe_regions_call(&call, 0);
	CHECK_BUILDER(&call, "DescribeRegions", regions);
	ec2_describe_subnets_call(&call, subnet_ids, 2, NULL);
	CHECK_BUILDER(&call, "DescribeSubnets", subnets);
	ec2_describe_launch_templates_call(&call, NULL, 0, "awsx:lc-migrate",
					   "web-v1", NULL);
	CHECK_BUILDER(&call, "DescribeLaunchTemplates", lts);
	ec2_describe_launch_template_versions_call(&call, "lt-0123", "ignored",
						   versions, 2, NULL);
	CHECK_BUILDER(&call, "DescribeLaunchTemplateVersions", ltvs);
	ec2_delete_launch_template_call(&call, NULL, "web");
	CHECK_BUILDER(&call, "DeleteLaunchTemplate", delete_lt);

	spec = cJSON_Parse("{\"LaunchTemplateId\":\"lt-0123\",\"Version\":\"3\"}");
	aws_error_clear(&err);
	CHECK_INT(ec2_run_instances_dry_run_call(&call, spec, "subnet-1", &err), 0);
	CHECK_BUILDER(&call, "RunInstances", dry_run);
	cJSON_Delete(spec);

	autoscaling_describe_launch_configurations_call(&call, lc_names, 2, "tok-2");
	CHECK_BUILDER(&call, "DescribeLaunchConfigurations", lcs);
	autoscaling_describe_auto_scaling_groups_call(&call, NULL, 0, NULL);
	CHECK_BUILDER(&call, "DescribeAutoScalingGroups", asgs);
	autoscaling_delete_launch_configuration_call(&call, "web-v1");
	CHECK_BUILDER(&call, "DeleteLaunchConfiguration", delete_lc);
	autoscaling_describe_instance_refreshes_call(&call, "web-asg", NULL, 0, "t3");
	CHECK_BUILDER(&call, "DescribeInstanceRefreshes", refreshes);

	/* the tag-key filter when no value is given */
	ec2_describe_launch_templates_call(&call, NULL, 0, "awsx", NULL, "n");
	CHECK_STR(kvlist_get(&call.params, "Filter.1.Name"), "tag-key");
	CHECK_STR(kvlist_get(&call.params, "Filter.1.Value.1"), "awsx");
	CHECK_STR(kvlist_get(&call.params, "NextToken"), "n");
	aws_call_release(&call);
}

static void test_json_builders(void)
{
	cJSON *req = cJSON_Parse(in_clt);
	struct ec2_launch_template_request r = {
		.template_name = "lc-migrate-web",
		.version_description = "migrated from launch configuration web-v1",
		.data = cJSON_GetObjectItemCaseSensitive(req, "LaunchTemplateData"),
		.tag_specifications = cJSON_GetObjectItemCaseSensitive(req, "TagSpecifications"),
		.client_token = "6a5d2c1e-1111-4222-8333-944445555666",
	};
	struct strbuf line = STRBUF_INIT;
	struct aws_call call;
	struct aws_error err;
	const char *tok;
	cJSON *in;

	aws_error_clear(&err);
	CHECK_INT(ec2_create_launch_template_call(&call, &r, &err), 0);
	CHECK_BUILDER(&call, "CreateLaunchTemplate", params_clt);

	/* without a token: a fresh UUID, the same on every retry of the call */
	r.client_token = NULL;
	CHECK_INT(ec2_create_launch_template_call(&call, &r, &err), 0);
	tok = kvlist_get(&call.params, "ClientToken");
	CHECK(tok && strlen(tok) == 36 && tok[14] == '4' && tok[8] == '-');
	aws_call_release(&call);

	/* a new version: by id, based on a version, no tags */
	r.template_id = "lt-0123";
	r.source_version = "1";
	r.client_token = "t";
	CHECK_INT(ec2_create_launch_template_version_call(&call, &r, &err), 0);
	CHECK_STR(call.operation, "CreateLaunchTemplateVersion");
	CHECK_STR(kvlist_get(&call.params, "LaunchTemplateId"), "lt-0123");
	CHECK(kvlist_get(&call.params, "LaunchTemplateName") == NULL);
	CHECK_STR(kvlist_get(&call.params, "SourceVersion"), "1");
	CHECK(kvlist_get(&call.params, "TagSpecification.1.ResourceType") == NULL);
	CHECK_STR(kvlist_get(&call.params,
			     "LaunchTemplateData.NetworkInterface.1.AssociatePublicIpAddress"),
		  "false");
	aws_call_release(&call);

	/* bad JSON: one line naming service, operation and parameter */
	in = cJSON_Parse("{\"ImageId\":\"ami-1\",\"Bogus\":true}");
	r.data = in;
	CHECK_INT(ec2_create_launch_template_call(&call, &r, &err), -AWSX_EFAIL);
	aws_error_format(&err, &line);
	CHECK_STR(line.buf, "ec2 CreateLaunchTemplate failed: unknown parameter "
			    "'LaunchTemplateData.Bogus'");
	aws_call_release(&call);
	cJSON_Delete(in);
	strbuf_reset(&line);

	in = cJSON_Parse(in_uasg);
	CHECK_INT(autoscaling_update_auto_scaling_group_call(&call, in, &err), 0);
	CHECK_BUILDER(&call, "UpdateAutoScalingGroup", params_uasg);
	cJSON_Delete(in);
	in = cJSON_Parse("{\"AutoScalingGroupName\":\"a\",\"MinSize\":\"1\"}");
	aws_error_clear(&err);
	CHECK_INT(autoscaling_update_auto_scaling_group_call(&call, in, &err),
		  -AWSX_EFAIL);
	aws_error_format(&err, &line);
	CHECK_STR(line.buf, "autoscaling UpdateAutoScalingGroup failed: invalid type "
			    "for parameter 'MinSize': expected integer, got string");
	aws_call_release(&call);
	cJSON_Delete(in);

	in = cJSON_Parse(in_sir);
	CHECK_INT(autoscaling_start_instance_refresh_call(&call, in, &err), 0);
	CHECK_BUILDER(&call, "StartInstanceRefresh", params_sir);
	cJSON_Delete(in);

	strbuf_release(&line);
	cJSON_Delete(req);
}

int main(void)
{
	RUN(test_find);
	RUN(test_answers);
	RUN(test_answer_launch_configurations);
	RUN(test_answer_launch_template_versions);
	RUN(test_pages);
	RUN(test_bad_pages);
	RUN(test_ec2_result);
	RUN(test_wrong_types);
	RUN(test_unknown_bound);
	RUN(test_deep);
	RUN(test_maps_and_flattened);
	RUN(test_scalar_forms);
	RUN(test_requests);
	RUN(test_prefix);
	RUN(test_refused);
	RUN(test_builders);
	RUN(test_json_builders);
	return check_done();
}
